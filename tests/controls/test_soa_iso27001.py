"""The ISO/IEC 27001:2022 Statement of Applicability beside the ISO/IEC 42001 one: started once
by a compliance officer, issued and approved as versions of its own, printed and exported per
framework, and the source of ISO 27001 coverage once it exists."""

import io
import re
import threading

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from aims.core import roles
from controls import services
from controls.catalogue import load_catalogues
from controls.models import (
    Control,
    ControlObjective,
    Framework,
    ImplementationStatus,
    SoAEntry,
    SoAVersion,
)
from tests.conftest import PERSONAS
from tests.controls.test_catalogue import ANNEX_A_IDS
from tests.factories import AISystemFactory, UserFactory

ISO27001 = "iso27001"
ISO42001 = "iso42001"


@pytest.fixture
def iso27001_ids(db):
    """The 93 control IDs of the shipped ISO 27001 catalogue, in catalogue order."""
    codes = list(
        Control.objects.filter(framework=Framework.ISO27001)
        .order_by("position")
        .values_list("code", flat=True)
    )
    assert len(codes) == 93
    return codes


@pytest.fixture(autouse=True)
def someone_may_decide(ai_officer):
    """An AI officer who changed nothing: without an eligible decider no version is issued."""
    return ai_officer


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def iso27001_entries():
    return SoAEntry.objects.filter(control__framework=Framework.ISO27001)


def justify_every_applicable_entry(framework, user):
    """Give each applicable entry of the framework's SoA a justification, as its editor would."""
    for entry in SoAEntry.objects.for_framework(framework).filter(applicable=True):
        entry.inclusion_justification = f"{entry.control.code} treats a risk of the register."
        entry._history_user = user
        entry.save()


@pytest.fixture
def started(compliance_officer):
    """The ISO 27001 SoA started and justified throughout by the compliance officer."""
    services.soa_start(user=compliance_officer, framework=ISO27001)
    justify_every_applicable_entry(ISO27001, compliance_officer)


def issue(user, framework, note=""):
    return services.soa_version_issue(user=user, framework=framework, note=note)


# Starting the SoA -----------------------------------------------------------------------------


def test_before_it_is_started_no_iso27001_control_has_an_soa_entry(db):
    assert not iso27001_entries().exists()
    assert services.soa_started(ISO42001)
    assert not services.soa_started(ISO27001)


def test_starting_the_iso27001_soa_creates_one_organization_wide_entry_per_control(
    compliance_officer, iso27001_ids
):
    entries = services.soa_start(user=compliance_officer, framework=ISO27001)
    assert len(entries) == 93
    stored = iso27001_entries().order_by("control__position")
    assert [entry.control.code for entry in stored] == iso27001_ids
    assert {(e.ai_system_id, e.status) for e in stored} == {
        (None, ImplementationStatus.NOT_STARTED)
    }
    # History names the person who started it, once per entry.
    creators = SoAEntry.history.filter(id__in=stored.values("pk"), history_type="+")
    assert set(creators.values_list("history_user", flat=True)) == {compliance_officer.pk}
    assert creators.count() == 93


def test_the_iso27001_soa_is_started_only_once(compliance_officer):
    services.soa_start(user=compliance_officer, framework=ISO27001)
    with pytest.raises(ValidationError, match="has been started already"):
        services.soa_start(user=compliance_officer, framework=ISO27001)
    assert iso27001_entries().count() == 93


def test_the_iso42001_soa_cannot_be_started_again(compliance_officer):
    with pytest.raises(ValidationError, match="has been started already"):
        services.soa_start(user=compliance_officer, framework=ISO42001)
    assert SoAEntry.objects.for_framework(ISO42001).count() == len(ANNEX_A_IDS)


@pytest.mark.django_db(transaction=True)
def test_two_officers_starting_at_once_create_the_entries_once():
    """The second start waits for the first and is then told the SoA has been started: 93
    entries, never 186, and never an error page."""
    if not Control.objects.filter(framework=Framework.ISO27001).exists():
        # A transactional test before this one may have flushed the catalogue.
        load_catalogues(ControlObjective, Control, SoAEntry)
    officers = [UserFactory(role=roles.COMPLIANCE_OFFICER) for _ in range(2)]
    start = threading.Barrier(len(officers))
    outcomes = {}

    def start_the_soa(officer):
        try:
            start.wait(timeout=10)
            services.soa_start(user=officer, framework=ISO27001)
            outcomes[officer.pk] = "started"
        except ValidationError as refusal:
            outcomes[officer.pk] = " ".join(refusal.messages)
        except Exception as error:  # anything else is what the assertion reports
            outcomes[officer.pk] = f"{type(error).__name__}: {error}"
        finally:
            connection.close()

    threads = [threading.Thread(target=start_the_soa, args=[officer]) for officer in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes.values()) == [
        "The ISO/IEC 27001:2022 Statement of Applicability has been started already.",
        "started",
    ], outcomes
    assert iso27001_entries().count() == 93


@pytest.mark.parametrize("persona", ["ai_officer", "auditor", "system_owner"])
def test_only_whoever_edits_the_soa_may_start_it(db, persona):
    user = UserFactory(role=PERSONAS[persona])
    with pytest.raises(PermissionDenied):
        services.soa_start(user=user, framework=ISO27001)
    response = client_of(user).post(reverse("controls:soa_start", args=[ISO27001]))
    assert response.status_code == 403
    assert not iso27001_entries().exists()


def test_the_compliance_officer_starts_the_soa_from_the_soa_page(compliance_officer):
    client = client_of(compliance_officer)
    page = client.get(reverse("controls:soaentry_list"))
    assert page.status_code == 200
    assert "Start the ISO/IEC 27001 SoA" in page.content.decode()

    response = client.post(reverse("controls:soa_start", args=[ISO27001]))
    assert response.status_code == 302
    assert response["Location"] == reverse("controls:soaentry_list") + "?catalogue=iso27001"
    assert iso27001_entries().count() == 93
    assert "started with 93 controls" in messages_of(response)[0]

    page = client.get(reverse("controls:soaentry_list"))
    assert page.status_code == 200
    assert "Start the ISO/IEC 27001 SoA" not in page.content.decode()


def test_a_second_start_through_the_page_says_so_and_adds_nothing(compliance_officer):
    client = client_of(compliance_officer)
    client.post(reverse("controls:soa_start", args=[ISO27001]))
    response = client.post(reverse("controls:soa_start", args=[ISO27001]))
    assert response.status_code == 302
    assert any("has been started already" in message for message in messages_of(response))
    assert iso27001_entries().count() == 93


def test_an_unknown_framework_is_not_found(compliance_officer):
    client = client_of(compliance_officer)
    assert client.post(reverse("controls:soa_start", args=["iso9001"])).status_code == 404
    assert client.get(reverse("controls:soa_pdf", args=["iso9001"])).status_code == 404


def test_the_soa_list_filters_the_iso27001_entries(compliance_officer, started, iso27001_ids):
    response = client_of(compliance_officer).get(
        reverse("controls:soaentry_list"), {"catalogue": ISO27001}
    )
    assert response.status_code == 200
    listed = {entry.control.code for entry in response.context["table"].data}
    assert listed == set(iso27001_ids)


def test_the_soa_list_shows_the_iso42001_statement_before_the_iso27001_one(
    compliance_officer, started, iso27001_ids
):
    response = client_of(compliance_officer).get(reverse("controls:soaentry_list"))
    assert response.status_code == 200
    listed = [entry.control.code for entry in response.context["table"].data]
    assert listed[: len(ANNEX_A_IDS)] == ANNEX_A_IDS
    assert listed[-93:] == iso27001_ids


def test_an_override_for_an_iso27001_control_needs_the_started_soa(db):
    control = Control.objects.get(framework=Framework.ISO27001, code="8.16")
    override = SoAEntry(control=control, ai_system=AISystemFactory(), applicable=True)
    with pytest.raises(ValidationError) as refusal:
        override.full_clean()
    assert "control" in refusal.value.message_dict


def test_an_override_for_an_iso27001_control_is_valid_once_started(compliance_officer):
    services.soa_start(user=compliance_officer, framework=ISO27001)
    control = Control.objects.get(framework=Framework.ISO27001, code="8.16")
    override = SoAEntry(control=control, ai_system=AISystemFactory(), applicable=True)
    override.full_clean()


# Versions per framework -----------------------------------------------------------------------


def test_an_iso27001_version_cannot_be_issued_before_the_soa_is_started(compliance_officer):
    with pytest.raises(ValidationError, match="has not been started"):
        issue(compliance_officer, ISO27001)
    assert not SoAVersion.objects.exists()


def test_versions_are_numbered_per_framework(compliance_officer, ai_officer, started):
    justify_every_applicable_entry(ISO42001, compliance_officer)
    aims_1 = issue(compliance_officer, ISO42001)
    isms_1 = issue(compliance_officer, ISO27001)
    assert (aims_1.framework, aims_1.number) == (ISO42001, 1)
    assert (isms_1.framework, isms_1.number) == (ISO27001, 1)

    services.soa_version_decide(version=isms_1, user=ai_officer, approve=True)
    isms_2 = issue(compliance_officer, ISO27001)
    assert (isms_2.framework, isms_2.number) == (ISO27001, 2)
    assert str(isms_2) == "ISO/IEC 27001:2022 SoA version 2"
    assert str(aims_1) == "SoA version 1"


def test_one_version_per_framework_awaits_approval_at_a_time(compliance_officer, started):
    justify_every_applicable_entry(ISO42001, compliance_officer)
    issue(compliance_officer, ISO42001)
    # The AIMS version awaiting approval does not hold up the ISMS one …
    issue(compliance_officer, ISO27001)
    # … but a second ISMS version waits for the first one's decision.
    with pytest.raises(ValidationError, match="awaits approval"):
        issue(compliance_officer, ISO27001)
    assert list(
        SoAVersion.objects.order_by("framework", "number").values_list("framework", "number")
    ) == [(ISO27001, 1), (ISO42001, 1)]


def test_each_version_freezes_only_its_own_framework(compliance_officer, started, iso27001_ids):
    justify_every_applicable_entry(ISO42001, compliance_officer)
    aims = issue(compliance_officer, ISO42001)
    isms = issue(compliance_officer, ISO27001)
    assert [row["control"] for row in isms.entries] == iso27001_ids
    assert sorted(row["control"] for row in aims.entries) == sorted(ANNEX_A_IDS)


def test_the_ai_officer_approves_an_iso27001_version(compliance_officer, ai_officer, started):
    version = issue(compliance_officer, ISO27001, note="First ISMS statement")
    assert version.status == SoAVersion.Status.AWAITING_APPROVAL

    services.soa_version_decide(version=version, user=ai_officer, approve=True)

    version.refresh_from_db()
    assert (version.status, version.decided_by, version.framework) == (
        SoAVersion.Status.APPROVED,
        ai_officer,
        ISO27001,
    )
    assert version.intact


def test_the_issuer_of_an_iso27001_version_does_not_approve_it(compliance_officer, started):
    version = issue(compliance_officer, ISO27001)
    # Holding the AI officer role as well does not let the issuer decide on their own version.
    compliance_officer.groups.add(Group.objects.get(name=roles.AI_OFFICER))
    compliance_officer.__dict__.pop("_aims_roles", None)
    with pytest.raises(ValidationError):
        services.soa_version_decide(version=version, user=compliance_officer, approve=True)
    version.refresh_from_db()
    assert version.status == SoAVersion.Status.AWAITING_APPROVAL


def test_the_issue_form_issues_the_framework_it_names(compliance_officer, started):
    response = client_of(compliance_officer).post(
        reverse("controls:soa_issue"), {"framework": ISO27001, "note": "ISMS review"}
    )
    version = SoAVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == version.get_absolute_url()
    assert (version.framework, version.number, version.note) == (ISO27001, 1, "ISMS review")


def test_the_version_list_filters_by_framework(compliance_officer, auditor, started):
    justify_every_applicable_entry(ISO42001, compliance_officer)
    issue(compliance_officer, ISO42001)
    isms = issue(compliance_officer, ISO27001)
    response = client_of(auditor).get(reverse("controls:soaversion_list"), {"framework": ISO27001})
    assert response.status_code == 200
    assert [version.pk for version in response.context["table"].data] == [isms.pk]


def test_the_comparison_of_iso27001_versions_shows_their_changes(
    compliance_officer, ai_officer, auditor, started
):
    first = issue(compliance_officer, ISO27001)
    services.soa_version_decide(version=first, user=ai_officer, approve=True)
    entry = iso27001_entries().get(control__code="7.4")
    entry.applicable = False
    entry.exclusion_justification = "The offices have no areas that need video surveillance."
    entry.save()
    issue(compliance_officer, ISO27001)

    response = client_of(auditor).get(
        reverse("controls:soa_compare"), {"framework": ISO27001, "from": 1, "to": 2}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<strong>7.4</strong>" in page
    assert "<ins>The offices have no areas that need video surveillance.</ins>" in page


# PDF and XLSX per framework -------------------------------------------------------------------


def pdf_tokens(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    return set(text.split()), " ".join(text.split())


def test_the_current_iso27001_soa_prints_its_93_controls(compliance_officer, started, iso27001_ids):
    response = client_of(compliance_officer).get(reverse("controls:soa_pdf", args=[ISO27001]))
    assert (
        'filename="statement-of-applicability-iso27001-current-'
        in (response["Content-Disposition"])
    )
    tokens, text = pdf_tokens(response)
    assert set(iso27001_ids) <= tokens
    assert "ISO/IEC 27001:2022 · 6.1.3 d)" in text
    assert not {"A.2.2", "A.6.2.8"} & tokens


def test_an_issued_iso27001_version_prints_its_93_controls(
    compliance_officer, auditor, started, iso27001_ids
):
    version = issue(compliance_officer, ISO27001)
    response = client_of(auditor).get(
        reverse("controls:soa_version_pdf", kwargs={"framework": ISO27001, "number": 1})
    )
    assert (
        'filename="statement-of-applicability-iso27001-v1.pdf"' in (response["Content-Disposition"])
    )
    tokens, text = pdf_tokens(response)
    assert set(iso27001_ids) <= tokens
    assert version.sha256 in text


def test_the_iso42001_pdf_keeps_to_annex_a(compliance_officer, started):
    response = client_of(compliance_officer).get(reverse("controls:soa_pdf"))
    tokens, text = pdf_tokens(response)
    assert set(ANNEX_A_IDS) <= tokens
    assert "ISO/IEC 42001 · 6.1.3" in text
    assert not {"5.1", "8.16"} & tokens


def test_the_current_iso27001_soa_is_not_found_before_it_is_started(compliance_officer):
    client = client_of(compliance_officer)
    assert client.get(reverse("controls:soa_pdf", args=[ISO27001])).status_code == 404
    assert client.get(reverse("controls:soa_xlsx", args=[ISO27001])).status_code == 404


def entry_sheet(response):
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    return workbook["Cover"], workbook["Statement of Applicability"]


def test_each_framework_exports_its_own_xlsx(compliance_officer, started, iso27001_ids):
    justify_every_applicable_entry(ISO42001, compliance_officer)
    issue(compliance_officer, ISO42001)
    issue(compliance_officer, ISO27001)
    client = client_of(compliance_officer)

    cover, sheet = entry_sheet(
        client.get(
            reverse("controls:soa_version_xlsx", kwargs={"framework": ISO27001, "number": 1})
        )
    )
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == iso27001_ids
    assert cover["B1"].value == "ISO/IEC 27001:2022 · 6.1.3 d)"

    cover, sheet = entry_sheet(
        client.get(reverse("controls:soa_version_xlsx", kwargs={"number": 1}))
    )
    assert sorted(row[0].value for row in sheet.iter_rows(min_row=2)) == sorted(ANNEX_A_IDS)
    assert cover["B1"].value == "ISO/IEC 42001 · 6.1.3"

    _cover, sheet = entry_sheet(client.get(reverse("controls:soa_xlsx", args=[ISO27001])))
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == iso27001_ids


# Coverage -------------------------------------------------------------------------------------


def coverage_page(user):
    response = client_of(user).get(reverse("controls:coverage"))
    assert response.status_code == 200
    frameworks = {f.framework: f for f in response.context["frameworks"]}
    return frameworks, response.content.decode()


def card(page, framework):
    """The summary card of one catalogue on the coverage page."""
    match = re.search(rf'<article[^>]*id="coverage-{framework}"[^>]*>(.*?)</article>', page, re.S)
    assert match, framework
    return " ".join(match.group(1).split())


def test_without_an_iso27001_soa_its_mapped_figures_are_indicative_without_a_percentage(auditor):
    entry = SoAEntry.objects.get(control__code="A.6.2.8", ai_system=None)
    entry.status = ImplementationStatus.IMPLEMENTED
    entry.save()

    frameworks, page = coverage_page(auditor)

    # A.6.2.8 maps to ISO 27001 8.15 and 8.17: counted through the mapping.
    assert (frameworks[ISO27001].covered, frameworks[ISO27001].indicative) == (2, True)
    iso27001 = card(page, ISO27001)
    assert "2 / 93" in iso27001
    assert "indicative" in iso27001
    assert "%" not in iso27001
    assert "progress" not in iso27001
    # Annex A is measured by its own SoA: a percentage, and no such label.
    iso42001 = card(page, ISO42001)
    assert "3 %" in iso42001
    assert "indicative" not in iso42001


def test_once_started_iso27001_coverage_comes_from_its_own_soa(auditor, compliance_officer):
    services.soa_start(user=compliance_officer, framework=ISO27001)
    mapped = SoAEntry.objects.get(control__code="A.6.2.8", ai_system=None)
    mapped.status = ImplementationStatus.IMPLEMENTED
    mapped.save()
    implemented = iso27001_entries().get(control__code="5.1")
    implemented.status = ImplementationStatus.IMPLEMENTED
    implemented.save()
    partial = iso27001_entries().get(control__code="8.15")
    partial.status = ImplementationStatus.PARTIAL
    partial.save()
    excluded = iso27001_entries().get(control__code="7.4")
    excluded.applicable = False
    excluded.exclusion_justification = "No premises that need video surveillance."
    excluded.save()

    frameworks, page = coverage_page(auditor)

    iso27001 = frameworks[ISO27001]
    assert iso27001.indicative is False
    # The implemented Annex A control no longer counts for 8.15 and 8.17: their own entries do.
    assert (iso27001.covered, iso27001.partial, iso27001.excluded, iso27001.measured) == (
        1,
        1,
        1,
        92,
    )
    gaps = {requirement.control.code for requirement in iso27001.gaps}
    assert {"8.15", "8.17"} <= gaps
    assert not {"5.1", "7.4"} & gaps
    text = card(page, ISO27001)
    assert "1 / 92" in text
    assert "1 %" in text
    assert "indicative" not in text
