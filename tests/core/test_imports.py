"""The import machinery with a register other than AI systems: what a declaration gets from the
model, its hooks, its own saved column mappings, and declarations it refuses."""

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aims.core.imports import services
from aims.core.imports.services import ImportSpec
from aims.core.models import SavedColumnMapping
from aims.inventory.imports import AI_SYSTEMS
from aims.inventory.models import AISystem, ModelVersion, SystemImport, ThirdParty
from tests.factories import AISystemFactory


def systems_named(text):
    """The AI systems a cell lists by reference, for the many-to-many field."""
    references = [item.strip().upper() for item in text.split(",") if item.strip()]
    systems = list(AISystem.objects.filter(reference__in=references))
    if len(systems) != len(references):
        raise ValueError(f"Unknown AI system in “{text}”.")
    return systems


def link_systems(objects, *, record, user):
    for third_party in objects:
        third_party._history_user = user  # the link is a change in history too
        third_party.systems.set(third_party.import_deferred.get("systems", []))


def no_responsibilities_without_delivery(third_party):
    if third_party.responsibilities and not third_party.delivers:
        raise ValueError("Responsibilities without a delivery.")
    third_party.responsibilities = third_party.responsibilities or "To be agreed."


THIRD_PARTIES = ImportSpec(
    model=ThirdParty,
    record_model=SystemImport,
    fields=["reference", "name", "relationship", "delivers", "responsibilities", "systems"],
    aliases={
        "name": ["supplier", "lieferant"],
        "relationship": ["relationship", "beziehung"],
        "delivers": ["delivers", "leistung"],
        "responsibilities": ["responsibilities"],
        "systems": ["ai systems", "ki systeme"],
    },
    keywords={"relationship": {"supplier": ["lieferant"], "both": ["beides"]}},
    parsers={"systems": systems_named},
    required=["name"],
    finish=no_responsibilities_without_delivery,
    after_create=link_systems,
)


def start(spec, content, user):
    upload = SimpleUploadedFile("third-parties.csv", content.encode())
    record = services.import_start(spec=spec, upload=upload, user=user)
    services.import_parse(spec, record)  # what the worker does after the upload
    table = services.import_read(spec, record)
    services.column_mapping_save(
        spec=spec,
        record=record,
        table=table,
        mapping=services.proposed_columns(spec, table),
        remember=True,
    )
    return record, table


def test_a_second_register_imports_from_its_declaration_alone(compliance_officer):
    AISystemFactory(reference="AIS-001")
    AISystemFactory(reference="AIS-002")
    content = (
        "Lieferant;Beziehung;Leistung;KI-Systeme\n"
        "Cloud AG;Lieferant;Hosting;ais-001, AIS-002\n"
        "Bank;Customer;Scores;\n"
        "Summe;;;2\n"
    )

    record, _table = start(THIRD_PARTIES, content, compliance_officer)
    created = services.import_run(
        spec=THIRD_PARTIES, record=record, user=compliance_officer, skip_invalid=False
    )

    assert created == 2
    cloud = ThirdParty.objects.get(name="Cloud AG")
    assert (cloud.reference, cloud.relationship, cloud.responsibilities) == (
        "TP-001",
        "supplier",
        "To be agreed.",
    )
    assert sorted(cloud.systems.values_list("reference", flat=True)) == ["AIS-001", "AIS-002"]
    assert ThirdParty.objects.get(name="Bank").relationship == "customer"
    assert {entry.history_user for entry in cloud.history.all()} == {compliance_officer}


def test_parser_and_finish_errors_are_errors_of_their_rows(compliance_officer):
    content = (
        "Supplier;Relationship;Delivers;Responsibilities;AI systems\n"
        "Cloud AG;Supplier;Hosting;;AIS-404\n"
        "Vague Ltd;Supplier;;Everything;\n"
        ";Supplier;Nameless;;\n"
        "Fine GmbH;Beides;Models;;\n"
    )
    record, table = start(THIRD_PARTIES, content, compliance_officer)

    preview = services.import_preview(THIRD_PARTIES, record, table)

    assert [(row, str(label)) for row, label, _message in preview.errors] == [
        (2, "AI systems"),
        (3, ""),
        (3, "What they deliver or receive"),
        (4, "Name"),
    ]
    assert preview.errors[0][2] == "Unknown AI system in “AIS-404”."
    assert preview.errors[1][2] == "Responsibilities without a delivery."
    assert [(row, obj.relationship) for row, obj in preview.valid] == [(5, "both")]
    with pytest.raises(ValidationError, match="Some rows are invalid"):
        services.import_run(
            spec=THIRD_PARTIES, record=record, user=compliance_officer, skip_invalid=False
        )
    assert not ThirdParty.objects.exists()
    # Skipped explicitly, nothing of an invalid row is saved: no entry, no link.
    services.import_run(
        spec=THIRD_PARTIES, record=record, user=compliance_officer, skip_invalid=True
    )
    assert list(ThirdParty.objects.values_list("name", flat=True)) == ["Fine GmbH"]
    assert not ThirdParty.systems.through.objects.exists()


def test_saved_column_mappings_belong_to_their_register(compliance_officer):
    _record, table = start(
        THIRD_PARTIES, "Supplier;Relationship\nCloud AG;Supplier\n", compliance_officer
    )

    assert set(SavedColumnMapping.objects.values_list("register", "header", "field")) == {
        ("inventory.thirdparty", "supplier", "name"),
        ("inventory.thirdparty", "relationship", "relationship"),
    }
    # For AI systems, "Supplier" is no name: the third parties' mappings stay theirs.
    assert services.proposed_columns(AI_SYSTEMS, table) == {}


def test_the_declaration_takes_labels_and_choices_from_the_model():
    assert str(THIRD_PARTIES.fields["delivers"]) == "What they deliver or receive"
    assert list(THIRD_PARTIES.choices) == ["relationship"]
    assert THIRD_PARTIES.propose_value("relationship", "Supplier and customer") == "both"
    assert THIRD_PARTIES.kinds["systems"] == services.PARSER
    assert (THIRD_PARTIES.reference_field, THIRD_PARTIES.source_field) == ("reference", None)
    assert THIRD_PARTIES.key == "inventory.thirdparty"
    assert THIRD_PARTIES.title == "Import third parties"
    assert THIRD_PARTIES.preview_fields == (
        "reference",
        "name",
        "relationship",
        "delivers",
        "responsibilities",
    )


@pytest.mark.parametrize(
    "declaration",
    [
        {"fields": ["name"], "aliases": {"purpose": ["purpose"]}},
        {"fields": ["name"], "aliases": {}, "required": ["purpose"]},
        {"fields": ["name"], "aliases": {}, "keywords": {"name": {"x": ["y"]}}},
        {"fields": ["name"], "aliases": {}, "reference_field": "code"},
    ],
    ids=["aliases of a field not imported", "required field not imported",
         "keywords of a field without choices", "reference field the model lacks"],
)  # fmt: skip
def test_a_declaration_the_import_cannot_honour_is_refused(declaration):
    with pytest.raises(ImproperlyConfigured):
        ImportSpec(model=AISystem, record_model=SystemImport, **declaration)


def test_a_field_the_import_cannot_read_by_itself_needs_a_parser():
    with pytest.raises(ImproperlyConfigured, match="parser"):
        ImportSpec(model=ModelVersion, record_model=SystemImport, fields=["system"], aliases={})

    spec = ImportSpec(
        model=ModelVersion,
        record_model=SystemImport,
        fields=["system"],
        aliases={},
        parsers={"system": lambda text: AISystem.objects.get(reference=text)},
    )
    assert spec.kinds == {"system": services.PARSER}


def test_the_wizard_urls_live_in_the_app_namespace():
    assert reverse("inventory:import_upload") == "/inventory/imports/new/"
    assert reverse("inventory:import_preview", args=[7]) == "/inventory/imports/7/preview/"


# Looking up the entries a cell names ------------------------------------------------------------

UNKNOWN = "“%(value)s” names no AI system."


def systems_in(text):
    return services.entries_named(
        AISystem.objects.all(), text, fields=("reference", "name"), unknown=UNKNOWN
    )


def test_a_cell_names_entries_by_reference_or_name_each_once_in_order(db):
    chatbot = AISystemFactory(reference="AIS-001", name="Chatbot")
    scorer = AISystemFactory(reference="AIS-002", name="Scorer")
    assert systems_in("scorer; ais-001\nAIS-002") == [scorer, chatbot]
    assert systems_in("  ") is None


def test_a_name_that_fits_no_entry_is_an_error_naming_it_never_dropped(db):
    AISystemFactory(reference="AIS-001", name="Chatbot")
    with pytest.raises(ValueError) as refusal:
        systems_in("AIS-001, AIS-404")
    assert str(refusal.value) == "“AIS-404” names no AI system."


def test_a_name_that_fits_several_entries_is_an_error_not_a_guess(db):
    AISystemFactory(reference="AIS-001", name="Chatbot")
    AISystemFactory(reference="AIS-002", name="chatbot")
    with pytest.raises(ValueError, match="“Chatbot” names no AI system."):
        systems_in("Chatbot")
