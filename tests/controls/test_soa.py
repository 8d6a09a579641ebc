"""The Statement of Applicability: entries and their justifications, per-system overrides,
versions issued and approved four-eyes, their diff, the XLSX export and coverage."""

import copy
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook

from aims.core import roles
from aims.core.digests import canonical_sha256
from aims.core.registry import registry
from controls import services
from controls.models import ImplementationStatus, SoAEntry, SoAVersion
from tests.concurrency import at_once
from tests.conftest import form_payload
from tests.controls.test_catalogue import ANNEX_A_IDS
from tests.decisions import decide_url, decision_payload
from tests.factories import (
    AISystemFactory,
    ImpactAssessmentFactory,
    RiskFactory,
    SoAVersionFactory,
    UserFactory,
    justify_soa_entries,
)

NO_DRIVER_WARNING = "This control is included, but no risk, impact assessment, requirement or legal"
NO_DRIVER_BADGE = "None: why is it included?"


INCLUDED_BECAUSE = "Needed to treat the AI risks of the organization."
KEY = "soa-version"
FOUR_EYES = (
    "You wrote, changed or submitted this version of the Statement of Applicability; someone "
    "else must decide on it (four-eyes)."
)


@pytest.fixture(autouse=True)
def included_controls_justified(db):
    """A version can be issued only once every included control is justified (see
    tests/controls/test_soa_issue.py); these tests start from there."""
    justify_soa_entries(INCLUDED_BECAUSE)


@pytest.fixture(autouse=True)
def eligible_decider(db):
    """An AI officer who changed nothing: a version is issued only when someone may approve it."""
    return UserFactory(username="deciding_ai_officer", role=roles.AI_OFFICER)


def org_entry(code):
    return SoAEntry.objects.get(control__code=code, ai_system=None)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def edit_entry(client, entry, user, **changes):
    """Post the entry's edit form as a browser would; `applicable=False` unticks the box."""
    payload = {**form_payload(registry[SoAEntry], entry, user), **changes}
    if payload.get("applicable") is False:
        del payload["applicable"]  # an unticked checkbox is not sent
    return client.post(reverse("controls:soaentry_edit", args=[entry.pk]), payload)


def add_override(client, control_code, system, **fields):
    data = {
        "control": org_entry(control_code).control_id,
        "ai_system": system.pk,
        "applicable": "on",
        "inclusion_justification": "The system trains on customer data of its own.",
        "exclusion_justification": "",
        "status": ImplementationStatus.PLANNED,
        "owner": "",
        "last_review": "",
        "next_review": "",
        "loaded_version": "",
        **fields,
    }
    return client.post(reverse("controls:soaentry_add"), data)


def issue(client, note="Annual review"):
    return client.post(reverse("controls:soa_issue"), {"note": note})


def decide(client, version, decision="approve", comment=""):
    """Post the decide page as a browser would, with the content hash it showed."""
    return client.post(
        decide_url(KEY, version),
        decision_payload(KEY, version, outcome=decision, comment=comment),
    )


def another_ai_officer():
    return UserFactory(role=roles.AI_OFFICER)


def give_role(user, role):
    user.groups.add(Group.objects.get(name=role))
    user.__dict__.pop("_aims_roles", None)
    return user


# Exclusions need a justification --------------------------------------------------------------


def test_an_exclusion_without_a_justification_cannot_be_saved(client, compliance_officer):
    entry = org_entry("A.10.4")
    loaded = entry.version
    client.force_login(compliance_officer)
    response = edit_entry(
        client, entry, compliance_officer, applicable=False, exclusion_justification="  "
    )
    assert response.status_code == 200
    assert "exclusion_justification" in response.context["form"].errors
    entry.refresh_from_db()
    assert (entry.applicable, entry.exclusion_justification, entry.version) == (True, "", loaded)


def test_an_exclusion_with_a_justification_is_saved(client, compliance_officer):
    entry = org_entry("A.10.4")
    client.force_login(compliance_officer)
    response = edit_entry(
        client,
        entry,
        compliance_officer,
        applicable=False,
        exclusion_justification="We provide no AI products or services to customers.",
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.applicable, entry.exclusion_justification) == (
        False,
        "We provide no AI products or services to customers.",
    )


def test_the_database_refuses_an_exclusion_without_a_justification(db):
    entry = org_entry("A.10.4")
    entry.applicable = False
    entry.exclusion_justification = ""
    with pytest.raises(IntegrityError), transaction.atomic():
        entry.save()
    assert org_entry("A.10.4").applicable is True


# Per-system overrides -------------------------------------------------------------------------


def test_an_override_records_how_a_control_applies_to_one_ai_system(client, compliance_officer):
    system = AISystemFactory()
    client.force_login(compliance_officer)
    response = add_override(client, "A.7.5", system)
    assert response.status_code == 302, response.content.decode()[:2000]
    override = SoAEntry.objects.get(control__code="A.7.5", ai_system=system)
    assert response["Location"] == override.get_absolute_url()
    assert override.status == ImplementationStatus.PLANNED
    # The organization-wide entry stays as it was.
    assert org_entry("A.7.5").status == ImplementationStatus.NOT_STARTED


def test_a_second_override_for_the_same_control_and_system_is_refused_at_the_form(
    client, compliance_officer
):
    system = AISystemFactory()
    client.force_login(compliance_officer)
    add_override(client, "A.7.5", system)
    response = add_override(client, "A.7.5", system, inclusion_justification="Again.")
    assert response.status_code == 200
    assert "The control has an entry for this AI system already; edit that one." in str(
        response.context["form"].errors
    )
    assert SoAEntry.objects.filter(control__code="A.7.5", ai_system=system).count() == 1


def test_the_organization_wide_entry_cannot_be_deleted(client, compliance_officer):
    entry = org_entry("A.7.5")
    client.force_login(compliance_officer)
    delete_url = reverse("controls:soaentry_delete", args=[entry.pk])
    for response in (client.get(delete_url), client.post(delete_url)):
        assert response.status_code == 302
        assert response["Location"] == entry.get_absolute_url()
        assert any("organization-wide entry of a control stays" in m for m in messages_of(response))
    assert SoAEntry.objects.filter(pk=entry.pk).exists()


def test_an_override_can_be_deleted(client, compliance_officer):
    system = AISystemFactory()
    client.force_login(compliance_officer)
    add_override(client, "A.7.5", system)
    override = SoAEntry.objects.get(control__code="A.7.5", ai_system=system)
    response = client.post(reverse("controls:soaentry_delete", args=[override.pk]))
    assert response.status_code == 302
    assert not SoAEntry.objects.filter(pk=override.pk).exists()
    assert SoAEntry.objects.filter(pk=org_entry("A.7.5").pk).exists()


# Included without a driver --------------------------------------------------------------------


def listed_codes(response):
    return {row.record.control.code for row in response.context["table"].page.object_list}


def test_an_included_control_without_a_driver_is_flagged_until_a_risk_is_linked(
    client, compliance_officer
):
    entry = org_entry("A.7.5")
    client.force_login(compliance_officer)
    soa_list = reverse("controls:soaentry_list")

    assert NO_DRIVER_WARNING in client.get(entry.get_absolute_url()).content.decode()
    assert NO_DRIVER_BADGE in client.get(soa_list, {"q": "A.7.5"}).content.decode()
    assert listed_codes(client.get(soa_list, {"no_driver": "yes", "q": "A.7.5"})) == {"A.7.5"}

    risk = RiskFactory(controls=[])
    response = edit_entry(client, entry, compliance_officer, risks=[risk.pk])
    assert response.status_code == 302
    # One link: the risk now names the control, and the entry derives its driver from it.
    assert list(risk.controls.values_list("code", flat=True)) == ["A.7.5"]
    assert org_entry("A.7.5").driver_risks == [risk]

    assert NO_DRIVER_WARNING not in client.get(entry.get_absolute_url()).content.decode()
    assert NO_DRIVER_BADGE not in client.get(soa_list, {"q": "A.7.5"}).content.decode()
    assert listed_codes(client.get(soa_list, {"no_driver": "yes", "q": "A.7.5"})) == set()
    # The other included controls without a driver are still listed.
    assert "A.7.4" in listed_codes(client.get(soa_list, {"no_driver": "yes", "q": "A.7."}))


def test_an_excluded_control_needs_no_driver(client, compliance_officer):
    entry = org_entry("A.10.4")
    entry.applicable = False
    entry.exclusion_justification = "We provide no AI products or services to customers."
    entry.save()
    client.force_login(compliance_officer)
    assert NO_DRIVER_WARNING not in client.get(entry.get_absolute_url()).content.decode()
    response = client.get(reverse("controls:soaentry_list"), {"no_driver": "yes", "q": "A.10."})
    assert listed_codes(response) == {"A.10.2", "A.10.3"}


# Issuing a version ----------------------------------------------------------------------------


def test_issuing_freezes_the_whole_soa_as_version_1(client, compliance_officer):
    client.force_login(compliance_officer)
    response = issue(client, note="First issue")
    version = SoAVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == version.get_absolute_url()
    assert (version.number, version.status, version.issued_by, version.note) == (
        1,
        SoAVersion.Status.AWAITING_APPROVAL,
        compliance_officer,
        "First issue",
    )
    assert version.issued_at is not None
    assert sorted(row["control"] for row in version.entries) == sorted(ANNEX_A_IDS)
    assert all(row["scope"] == "" for row in version.entries)
    assert len(version.sha256) == 64
    assert version.sha256 == canonical_sha256(version.content)


def test_a_version_does_not_change_when_the_soa_changes_afterwards(client, compliance_officer):
    client.force_login(compliance_officer)
    issue(client)
    version = SoAVersion.objects.get()
    frozen, digest = copy.deepcopy(version.content), version.sha256

    response = edit_entry(
        client,
        org_entry("A.2.2"),
        compliance_officer,
        inclusion_justification="The board adopted the AI policy.",
        status=ImplementationStatus.IMPLEMENTED,
    )
    assert response.status_code == 302
    assert add_override(client, "A.7.5", AISystemFactory()).status_code == 302

    version.refresh_from_db()
    assert version.content == frozen
    assert version.sha256 == digest == canonical_sha256(version.content)
    (row,) = [row for row in version.entries if row["control"] == "A.2.2"]
    assert (row["inclusion_justification"], row["status"]) == (INCLUDED_BECAUSE, "not_started")
    page = client.get(version.get_absolute_url()).content.decode()
    assert "The content matches its SHA-256." in page


def test_a_second_version_cannot_be_issued_while_one_awaits_approval(client, compliance_officer):
    client.force_login(compliance_officer)
    issue(client)
    response = issue(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("controls:soaentry_list")
    assert any("awaits approval" in message for message in messages_of(response))
    assert list(SoAVersion.objects.values_list("number", flat=True)) == [1]
    with pytest.raises(ValidationError):
        services.soa_version_issue(user=compliance_officer)
    assert SoAVersion.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "issues"),
    [
        ("compliance_officer", True),
        ("administrator", True),
        ("auditor", False),
        ("system_owner", False),
        ("ai_officer", False),
        ("no_role", False),
    ],
)
def test_only_the_compliance_officer_and_the_administrator_issue(
    client, make_user, persona, issues
):
    client.force_login(make_user(persona))
    assert issue(client).status_code == (302 if issues else 403)
    assert SoAVersion.objects.exists() is issues


# Four-eyes ------------------------------------------------------------------------------------


@pytest.fixture
def awaiting(compliance_officer):
    """Version 1, issued by the compliance officer and awaiting approval."""
    return services.soa_version_issue(user=compliance_officer, note="First issue")


def assert_undecided(version):
    version.refresh_from_db()
    assert version.status == SoAVersion.Status.AWAITING_APPROVAL
    assert (version.decided_by, version.decided_at) == (None, None)


def test_the_issuer_cannot_approve_even_as_ai_officer(compliance_officer, awaiting):
    issuer = give_role(compliance_officer, roles.AI_OFFICER)
    with pytest.raises(ValidationError, match=re.escape(FOUR_EYES)):
        services.soa_version_decide(version=awaiting, user=issuer, approve=True)
    assert_undecided(awaiting)

    response = decide(client_of(issuer), awaiting)
    assert response.status_code == 302
    assert response["Location"] == awaiting.get_absolute_url()
    assert FOUR_EYES in messages_of(response)
    assert_undecided(awaiting)


def test_an_ai_officer_who_edited_an_entry_cannot_approve(compliance_officer):
    editor = give_role(another_ai_officer(), roles.COMPLIANCE_OFFICER)
    response = edit_entry(
        client_of(editor),
        org_entry("A.9.2"),
        editor,
        inclusion_justification="Users follow the instructions for use.",
    )
    assert response.status_code == 302
    version = services.soa_version_issue(user=compliance_officer)
    assert version.editor_ids == [editor.pk]

    with pytest.raises(ValidationError, match=re.escape(FOUR_EYES)):
        services.soa_version_decide(version=version, user=editor, approve=True)
    response = decide(client_of(editor), version)
    assert FOUR_EYES in messages_of(response)
    assert_undecided(version)

    # A different AI officer may.
    approver = another_ai_officer()
    services.soa_version_decide(version=version, user=approver, approve=True)
    version.refresh_from_db()
    assert (version.status, version.decided_by) == (SoAVersion.Status.APPROVED, approver)


def test_a_different_ai_officer_approves(ai_officer, awaiting):
    response = decide(client_of(ai_officer), awaiting, comment="Checked against the risks.")
    assert response.status_code == 302
    assert response["Location"] == awaiting.get_absolute_url()
    awaiting.refresh_from_db()
    assert awaiting.status == SoAVersion.Status.APPROVED
    assert awaiting.decided_by == ai_officer
    assert awaiting.decided_at is not None
    assert awaiting.decision_comment == "Checked against the risks."
    # Deciding changes nothing that the hash covers.
    assert awaiting.sha256 == canonical_sha256(awaiting.content)


def test_a_rejection_needs_a_comment(ai_officer, awaiting):
    with pytest.raises(ValidationError, match="Say why"):
        services.soa_version_decide(version=awaiting, user=ai_officer, approve=False, comment=" ")
    response = decide(client_of(ai_officer), awaiting, decision="reject")
    assert response.status_code == 200
    assert response.context["form"].errors["comment"] == ["Give the reasons for the rejection."]
    assert_undecided(awaiting)

    decide(client_of(ai_officer), awaiting, decision="reject", comment="A.10.4 is missing.")
    awaiting.refresh_from_db()
    assert (awaiting.status, awaiting.decided_by, awaiting.decision_comment) == (
        SoAVersion.Status.REJECTED,
        ai_officer,
        "A.10.4 is missing.",
    )


def test_a_rejected_version_lets_the_next_one_be_issued(
    client, compliance_officer, ai_officer, awaiting
):
    services.soa_version_decide(
        version=awaiting, user=ai_officer, approve=False, comment="Incomplete."
    )
    client.force_login(compliance_officer)
    issue(client)
    assert list(SoAVersion.objects.order_by("number").values_list("number", "status")) == [
        (1, SoAVersion.Status.REJECTED),
        (2, SoAVersion.Status.AWAITING_APPROVAL),
    ]


def test_a_decided_version_cannot_be_decided_again(ai_officer, awaiting):
    services.soa_version_decide(version=awaiting, user=ai_officer, approve=True)
    awaiting.refresh_from_db()
    decided_at = awaiting.decided_at
    other = another_ai_officer()
    with pytest.raises(ValidationError, match="has been decided"):
        services.soa_version_decide(version=awaiting, user=other, approve=False, comment="No.")
    response = decide(client_of(other), awaiting, decision="reject", comment="No.")
    assert "This version has been decided." in messages_of(response)
    awaiting.refresh_from_db()
    assert (awaiting.status, awaiting.decided_by, awaiting.decided_at) == (
        SoAVersion.Status.APPROVED,
        ai_officer,
        decided_at,
    )


def test_a_compliance_officer_who_is_not_ai_officer_cannot_approve(awaiting):
    other_officer = UserFactory(role=roles.COMPLIANCE_OFFICER)
    with pytest.raises(ValidationError, match="Only the AI officer"):
        services.soa_version_decide(version=awaiting, user=other_officer, approve=True)
    response = decide(client_of(other_officer), awaiting)
    assert "Only the AI officer approves the Statement of Applicability." in messages_of(response)
    assert_undecided(awaiting)


@pytest.mark.django_db(transaction=True)
def test_two_ai_officers_approving_at_once_yield_one_decision():
    """The second approver waits for the first one's decision and is then told the version
    has been decided: one decision, never two, and never an error page."""
    issuer = UserFactory(role=roles.COMPLIANCE_OFFICER)
    version = SoAVersionFactory(status=SoAVersion.Status.AWAITING_APPROVAL, issued_by=issuer)
    officers = [another_ai_officer(), another_ai_officer()]
    outcomes = at_once(
        officers,
        lambda officer: services.soa_version_decide(version=version, user=officer, approve=True),
        writes=SoAVersion,
        refused=ValidationError,
    )

    approved = [user.pk for user, outcome in outcomes.items() if outcome == "done"]
    refused = [user for user, outcome in outcomes.items() if isinstance(outcome, ValidationError)]
    assert (len(approved), len(refused)) == (1, 1), outcomes
    version.refresh_from_db()
    assert (version.status, version.decided_by_id) == (SoAVersion.Status.APPROVED, approved[0])
    decisions = version.history.filter(status=SoAVersion.Status.APPROVED)
    assert list(decisions.values_list("decided_by_id", flat=True)) == approved


# Versions are records -------------------------------------------------------------------------


def test_a_version_has_no_edit_page():
    with pytest.raises(NoReverseMatch):
        reverse("controls:soaversion_edit", args=[1])


# Comparing versions ---------------------------------------------------------------------------


EXCLUSION = "We provide no AI products or services to customers."


@pytest.fixture
def two_versions(compliance_officer, ai_officer):
    """v1 approved; then A.10.4 excluded and an A.7.5 override added; v2 issued."""
    officer = client_of(compliance_officer)
    issue(officer)
    assert decide(client_of(ai_officer), SoAVersion.objects.get(number=1)).status_code == 302
    response = edit_entry(
        officer,
        org_entry("A.10.4"),
        compliance_officer,
        applicable=False,
        exclusion_justification=EXCLUSION,
    )
    assert response.status_code == 302
    system = AISystemFactory(name="Claims triage")
    assert add_override(officer, "A.7.5", system).status_code == 302
    issue(officer, note="A.10.4 excluded; A.7.5 for the claims triage")
    return system


def test_the_diff_of_two_versions_holds_exactly_what_changed(two_versions):
    system = two_versions
    v1, v2 = SoAVersion.objects.get(number=1), SoAVersion.objects.get(number=2)
    assert v1.status == SoAVersion.Status.APPROVED
    diff = services.soa_diff(v1.entries, v2.entries)
    changed = [(row["control"], row["scope"], changes) for row, changes in diff["changed"]]
    assert changed == [
        ("A.10.4", "", [("applicable", True, False), ("exclusion_justification", "", EXCLUSION)])
    ]
    assert [(row["control"], row["scope"], row["applicable"]) for row in diff["added"]] == [
        ("A.7.5", system.reference, True)
    ]
    assert diff["removed"] == []


def test_the_compare_page_shows_the_changes_between_two_versions(client, auditor, two_versions):
    system = two_versions
    client.force_login(auditor)
    response = client.get(reverse("controls:soa_compare"), {"from": 1, "to": 2})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<strong>A.10.4</strong>" in page
    assert "<del>Yes</del>" in page
    assert "<ins>No</ins>" in page
    assert f"<ins>{EXCLUSION}</ins>" in page
    assert f"A.7.5 ({system.reference})" in page


def test_comparing_a_version_with_itself_shows_no_differences(client, auditor, two_versions):
    client.force_login(auditor)
    response = client.get(reverse("controls:soa_compare"), {"from": 2, "to": 2})
    assert response.context["diff"] == {"added": [], "removed": [], "changed": []}
    assert "No differences." in response.content.decode()


# XLSX -----------------------------------------------------------------------------------------


FORMULA = '=HYPERLINK("https://attacker.example/","Click")'


def read_xlsx(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    # The first sheet is the cover; the entries follow on their own sheet.
    sheet = load_workbook(io.BytesIO(response.content))["Statement of Applicability"]
    header, *rows = sheet.iter_rows()
    return [cell.value for cell in header], rows


def test_the_current_soa_exports_as_xlsx_with_formulas_kept_as_text(client, compliance_officer):
    entry = org_entry("A.2.2")
    entry.inclusion_justification = FORMULA
    entry.save()
    client.force_login(compliance_officer)
    header, rows = read_xlsx(client.get(reverse("controls:soa_xlsx")))
    assert "Justification for inclusion" in header
    assert "Justification for exclusion" in header
    assert sorted(row[0].value for row in rows) == sorted(ANNEX_A_IDS)
    (a22,) = [row for row in rows if row[0].value == "A.2.2"]
    cell = a22[header.index("Justification for inclusion")]
    assert (cell.value, cell.data_type) == (FORMULA, "s")


def test_an_issued_version_exports_as_xlsx(client, compliance_officer):
    entry = org_entry("A.10.4")
    entry.applicable = False
    entry.exclusion_justification = "=1+1"
    entry.save()
    version = services.soa_version_issue(user=compliance_officer)
    entry.exclusion_justification = "Changed after the issue."
    entry.save()
    client.force_login(compliance_officer)
    response = client.get(reverse("controls:soa_version_xlsx", kwargs={"number": version.number}))
    header, rows = read_xlsx(response)
    assert len(rows) == 38
    (a104,) = [row for row in rows if row[0].value == "A.10.4"]
    cell = a104[header.index("Justification for exclusion")]
    assert (cell.value, cell.data_type) == ("=1+1", "s")


# Coverage -------------------------------------------------------------------------------------


def coverage_of(client):
    response = client.get(reverse("controls:coverage"))
    assert response.status_code == 200
    frameworks = {f.framework: f for f in response.context["frameworks"]}
    return frameworks, response.content.decode()


def gaps(framework):
    return {requirement.control.code for requirement in framework.gaps}


def test_coverage_follows_implemented_and_excluded_controls(client, auditor):
    client.force_login(auditor)
    before, page = coverage_of(client)
    assert (before["iso42001"].covered, before["iso42001"].measured) == (0, 38)
    assert "0 / 38" in page
    assert before["iso27001"].covered == before["eu_ai_act"].covered == 0

    entry = org_entry("A.6.2.8")
    entry.status = ImplementationStatus.IMPLEMENTED
    entry.save()
    after, page = coverage_of(client)
    assert (after["iso42001"].covered, after["iso42001"].measured) == (1, 38)
    assert "1 / 38" in page
    assert gaps(before["iso42001"]) - gaps(after["iso42001"]) == {"A.6.2.8"}
    # A.6.2.8 maps to ISO 27001 8.15 and 8.17 and to AI Act Art. 12 and Art. 26.
    assert gaps(before["iso27001"]) - gaps(after["iso27001"]) == {"8.15", "8.17"}
    assert gaps(after["iso27001"]) < gaps(before["iso27001"])
    assert after["iso27001"].covered == 2
    assert gaps(before["eu_ai_act"]) - gaps(after["eu_ai_act"]) == {"Art. 12", "Art. 26"}
    assert gaps(after["eu_ai_act"]) < gaps(before["eu_ai_act"])
    assert after["eu_ai_act"].covered == 2

    excluded = org_entry("A.10.4")
    excluded.applicable = False
    excluded.exclusion_justification = EXCLUSION
    excluded.save()
    final, page = coverage_of(client)
    assert (final["iso42001"].covered, final["iso42001"].measured) == (1, 37)
    assert "1 / 37" in page
    assert "A.10.4" not in gaps(final["iso42001"])


def test_an_impact_assessment_alone_justifies_an_included_control(client, compliance_officer):
    entry = org_entry("A.5.2")
    entry.impact_assessments.add(ImpactAssessmentFactory())
    client.force_login(compliance_officer)
    assert NO_DRIVER_WARNING not in client.get(entry.get_absolute_url()).content.decode()
    assert not SoAEntry.objects.without_driver().filter(pk=entry.pk).exists()


def test_the_soa_list_is_paged_like_every_register_with_its_headings_on_each_page(
    compliance_officer,
):
    client = client_of(compliance_officer)
    pages = [client.get(reverse("controls:soaentry_list"), {"page": n}) for n in (1, 2)]
    codes = [[row.record.control.code for row in p.context["table"].page] for p in pages]
    assert [len(page) for page in codes] == [25, len(ANNEX_A_IDS) - 25]
    assert codes[0] + codes[1] == ANNEX_A_IDS
    # The second page opens under the objective of its first entry, as the first one does.
    first = org_entry(codes[1][0]).control.objective
    html = pages[1].content.decode()
    opening = html[html.index("<tbody") : html.index(f">{codes[1][0]}</a>")]
    assert re.findall(r'class="register-group register-group-\d+"', opening)
    assert str(first.parent or first) in opening
