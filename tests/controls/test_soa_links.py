"""One link between a risk and a control (Risk.controls), seen from both sides: the risk is a
driver of the control's SoA entry, the control a treatment on the risk; and evidence of a
control shows on its organization-wide SoA entry and in the printed SoA."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from aims.core.registry import registry
from controls import services
from controls.models import Control, SoAEntry
from risks.models import Risk
from tests.conftest import form_payload
from tests.factories import AISystemFactory, EvidenceFactory, RiskFactory, justify_soa_entries

NO_DRIVER_WARNING = "This control is included, but no risk, impact assessment, requirement or legal"


def org_entry(code):
    return SoAEntry.objects.get(control__code=code, ai_system=None)


def edit_entry(client, entry, user, **changes):
    payload = {**form_payload(registry[SoAEntry], entry, user), **changes}
    return client.post(reverse("controls:soaentry_edit", args=[entry.pk]), payload)


def edit_risk(client, risk, user, **changes):
    payload = {**form_payload(registry[Risk], risk, user), **changes}
    return client.post(reverse("risks:risk_edit", args=[risk.pk]), payload)


def codes(risk):
    return sorted(risk.controls.values_list("code", flat=True))


def pdf_text(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


# The risk side --------------------------------------------------------------------------------


def test_a_control_linked_on_the_risk_makes_the_risk_a_driver_of_its_soa_entry(
    client, compliance_officer
):
    risk = RiskFactory(title="Claims model drifts", controls=[])
    entry = org_entry("A.6.2.6")
    client.force_login(compliance_officer)
    page = client.get(entry.get_absolute_url())
    assert page.status_code == 200
    assert NO_DRIVER_WARNING in page.content.decode()

    control = Control.objects.get(code="A.6.2.6")
    response = edit_risk(client, risk, compliance_officer, controls=[control.pk])
    assert response.status_code == 302
    assert org_entry("A.6.2.6").driver_risks == [risk]
    page = client.get(entry.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert NO_DRIVER_WARNING not in html
    assert f'<a href="{risk.get_absolute_url()}">{risk}</a>' in html
    assert not SoAEntry.objects.without_driver().filter(pk=entry.pk).exists()
    # The same control shows on the risk as a treatment, with its SoA entry.
    page = client.get(risk.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Controls treating this risk" in html
    assert f'<a class="me-auto" href="{control.get_absolute_url()}">{control}</a>' in html
    assert f'<a href="{entry.get_absolute_url()}">SoA entry</a>' in html


def test_the_risk_page_says_when_a_treating_control_is_excluded_in_the_soa(
    client, compliance_officer
):
    entry = org_entry("A.10.4")
    entry.applicable = False
    entry.exclusion_justification = "We provide no AI products or services to customers."
    entry.save()
    risk = RiskFactory(controls=["A.10.4"])
    client.force_login(compliance_officer)
    page = client.get(risk.get_absolute_url())
    assert page.status_code == 200
    assert "Excluded in the SoA" in page.content.decode()


# The SoA side ---------------------------------------------------------------------------------


def test_linking_a_risk_on_the_soa_entry_links_the_control_on_the_risk(client, compliance_officer):
    risk = RiskFactory(controls=["A.6.2.4"])
    entry = org_entry("A.9.2")
    client.force_login(compliance_officer)
    response = edit_entry(client, entry, compliance_officer, risks=[risk.pk])
    assert response.status_code == 302
    assert codes(risk) == ["A.6.2.4", "A.9.2"]
    assert org_entry("A.9.2").driver_risks == [risk]

    # Unlinking there unlinks on the risk: there is no second link to drift.
    response = edit_entry(client, org_entry("A.9.2"), compliance_officer, risks=[])
    assert response.status_code == 302
    assert codes(risk) == ["A.6.2.4"]
    assert org_entry("A.9.2").driver_risks == []


def test_a_link_made_on_the_soa_entry_is_a_change_of_the_risk_in_its_history(
    client, compliance_officer
):
    risk = RiskFactory(controls=[])
    records, version = risk.history.count(), risk.version
    client.force_login(compliance_officer)
    response = edit_entry(client, org_entry("A.9.2"), compliance_officer, risks=[risk.pk])
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.version == version + 1
    assert risk.history.count() == records + 1
    latest = risk.history.first()
    assert latest.history_user == compliance_officer
    assert [row.control.code for row in latest.controls.all()] == ["A.9.2"]
    page = client.get(reverse("risks:risk_history", args=[risk.pk]))
    assert page.status_code == 200
    assert "A.9.2" in page.content.decode()


def test_the_soa_form_offers_the_risks_already_linked_to_the_control(compliance_officer):
    linked = RiskFactory(controls=["A.7.4"])
    other = RiskFactory(controls=["A.6.2.4"])
    form = registry[SoAEntry].form(instance=org_entry("A.7.4"), user=compliance_officer)
    assert form["risks"].value() == [linked.pk]
    assert {linked, other} <= set(form.fields["risks"].queryset)


def test_the_soa_side_needs_the_right_to_change_the_risk(compliance_officer, auditor):
    risk = RiskFactory(controls=[])
    with pytest.raises(PermissionDenied):
        services.soa_entry_risks_set(entry=org_entry("A.9.2"), risks=[risk], user=auditor)
    assert codes(risk) == []
    services.soa_entry_risks_set(entry=org_entry("A.9.2"), risks=[risk], user=compliance_officer)
    assert codes(risk) == ["A.9.2"]


def test_an_override_is_driven_by_the_risks_of_its_own_ai_system(client, compliance_officer):
    claims, chatbot = AISystemFactory(reference="AIS-001"), AISystemFactory(reference="AIS-002")
    claims_risk = RiskFactory(controls=["A.7.5"])
    claims_risk.ai_systems.set([claims])
    chatbot_risk = RiskFactory(controls=["A.7.5"])
    chatbot_risk.ai_systems.set([chatbot])
    override = SoAEntry.objects.create(
        control=Control.objects.get(code="A.7.5"),
        ai_system=claims,
        inclusion_justification="Trained on our own claims data.",
    )
    assert override.driver_risks == [claims_risk]
    assert org_entry("A.7.5").driver_risks == sorted(
        [claims_risk, chatbot_risk], key=lambda r: r.reference
    )

    client.force_login(compliance_officer)
    add = client.post(
        reverse("controls:soaentry_add"),
        {
            "control": Control.objects.get(code="A.7.4").pk,
            "ai_system": chatbot.pk,
            "applicable": "on",
            "inclusion_justification": "The chatbot's own data.",
            "status": "planned",
            "risks": [claims_risk.pk],
            "loaded_version": "",
        },
    )
    assert add.status_code == 200
    assert add.context["form"].errors["risks"] == [
        f"This entry is for AIS-002: link only risks of that system (not {claims_risk.reference})."
    ]
    assert not SoAEntry.objects.filter(control__code="A.7.4", ai_system=chatbot).exists()
    assert codes(claims_risk) == ["A.7.5"]


def test_without_driver_follows_the_one_link_for_overrides_too(db):
    system = AISystemFactory()
    override = SoAEntry.objects.create(
        control=Control.objects.get(code="A.7.5"),
        ai_system=system,
        inclusion_justification="Own data.",
    )
    unrelated = RiskFactory(controls=["A.7.5"])  # about no system: drives the org-wide entry
    without = SoAEntry.objects.without_driver()
    assert without.filter(pk=override.pk).exists()
    assert not without.filter(pk=org_entry("A.7.5").pk).exists()
    assert override.missing_driver is True

    unrelated.ai_systems.set([system])
    assert not SoAEntry.objects.without_driver().filter(pk=override.pk).exists()
    override.refresh_from_db()
    assert override.missing_driver is False


# What the SoA records and prints --------------------------------------------------------------


def test_the_snapshot_pdf_and_xlsx_list_the_risks_linked_on_the_risk_side(
    client, compliance_officer, ai_officer
):
    risk = RiskFactory(title="Fraud model misses new patterns", controls=["A.6.2.6"])
    justify_soa_entries()
    version = services.soa_version_issue(user=compliance_officer)
    (row,) = [row for row in version.entries if row["control"] == "A.6.2.6"]
    assert row["risks"] == [str(risk)]
    client.force_login(compliance_officer)

    text = pdf_text(client.get(reverse("controls:soa_pdf")))
    assert risk.reference in text

    response = client.get(reverse("controls:soa_xlsx"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = next(ws for ws in workbook.worksheets if ws.max_row > 30)
    rows = list(sheet.iter_rows(values_only=True))
    header_index = next(i for i, r in enumerate(rows) if "Linked drivers" in r)
    header = rows[header_index]
    (a626,) = [r for r in rows[header_index + 1 :] if r[0] == "A.6.2.6"]
    assert str(risk) in a626[header.index("Linked drivers")]


def test_evidence_of_a_control_shows_on_its_organization_wide_entry_and_in_the_pdf(
    client, compliance_officer
):
    entry = org_entry("A.6.2.4")
    entry.status = "implemented"
    entry.inclusion_justification = "Model quality is shown before each release."
    entry.save()
    evidence = EvidenceFactory(title="Validation report claims model", controls=["A.6.2.4"])
    override = SoAEntry.objects.create(
        control=entry.control, ai_system=AISystemFactory(), inclusion_justification="Own model."
    )
    assert entry.all_evidence == [evidence]
    assert override.all_evidence == []

    client.force_login(compliance_officer)
    page = client.get(entry.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Evidence attached to the control" in html
    assert f'<a href="{evidence.get_absolute_url()}">{evidence}</a>' in html

    (row,) = [
        row
        for row in services.soa_content()["entries"]
        if row["control"] == "A.6.2.4" and not row["scope"]
    ]
    assert row["evidence"] == [str(evidence)]
    text = pdf_text(client.get(reverse("controls:soa_pdf")))
    # Attached to the control only, yet printed with its organization-wide entry.
    assert str(evidence) in text


def test_a_bulk_edit_of_soa_entries_keeps_their_risk_links(client, compliance_officer):
    risk = RiskFactory(controls=["A.6.2.4", "A.9.2"])
    selected = [org_entry("A.6.2.4"), org_entry("A.9.2")]
    client.force_login(compliance_officer)
    payload = {
        "pk": [str(entry.pk) for entry in selected],
        **{f"version_{entry.pk}": str(entry.version) for entry in selected},
        "applicable": "",
        "inclusion_justification": "",
        "exclusion_justification": "",
        "owner": "",
        "status": "planned",
        "next_review": "",
        "step": "apply",
    }
    response = client.post(reverse("controls:soaentry_bulk_edit"), payload)
    assert response.status_code == 302
    assert [org_entry(code).status for code in ("A.6.2.4", "A.9.2")] == ["planned", "planned"]
    assert codes(risk) == ["A.6.2.4", "A.9.2"]
