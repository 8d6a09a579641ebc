"""The activity log: every change across the registers on one page, filtered, paged and exported,
and never more than the reader may see."""

import csv
import io
from datetime import date, datetime, time

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from aims.context.models import ContextIssue
from aims.core import exports
from aims.core.registry import registry
from aims.core.roles import REQUEST_AUDIT_PACK
from aims.inventory.models import AISystem
from tests.conftest import form_payload, new_object_payload
from tests.factories import (
    AISystemFactory,
    ContextIssueFactory,
    ModelVersionFactory,
    RiskFactory,
    TreatmentActionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("core:activity")
# The audit looks at the changes from 1 October to the audit date.
PERIOD = {"date_from": "2025-10-01", "date_to": "2025-11-30"}


def at(day, hour=12, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def stamp(obj, when, user=None):
    """Date the object's latest history row (and name who made it): history at fixed times."""
    record = obj.history.order_by("-history_date", "-history_id").first()
    type(record).objects.filter(pk=record.pk).update(history_date=when, history_user=user)


def entries(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return [(e["entry"], str(e["action"])) for e in response.context["page"]]


@pytest.fixture
def reader(make_user):
    """Reads registers only through what they own, and may open the log."""
    user = make_user("no_role", first_name="Otto", last_name="Owner")
    app_label, codename = REQUEST_AUDIT_PACK.split(".")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    return user


def test_changes_through_the_views_show_who_when_and_what(client, compliance_officer, make_user):
    admin = make_user("administrator", first_name="Ada", last_name="Admin")
    register = registry[ContextIssue]
    client.force_login(compliance_officer)
    payload = {**new_object_payload(register, compliance_officer), "owner": ""}
    payload["title"] = "Supervisory <b>guidance</b>"
    assert client.post(reverse("context:contextissue_add"), payload).status_code == 302
    issue = ContextIssue.objects.get()
    client.force_login(admin)
    payload = form_payload(register, issue, admin)
    payload.update(description="Rewritten.", owner=admin.pk)
    response = client.post(reverse("context:contextissue_edit", args=[issue.pk]), payload)
    assert response.status_code == 302

    response = client.get(URL, {"register": "context.contextissue"})
    # Then the template entry the payload was built from, created and deleted.
    changed, created = list(response.context["page"])[:2]
    assert (changed["who"], str(changed["action"]), changed["url"]) == (
        str(admin),
        "changed",
        issue.get_absolute_url(),
    )
    assert (created["who"], str(created["action"])) == (str(compliance_officer), "created")
    assert created["when"] <= changed["when"] <= timezone.now()
    assert changed["entry"] == f"{issue.reference} Supervisory <b>guidance</b>"
    assert str(changed["register"]) == "Context issue"
    changes = {str(label): (old, new) for label, old, new in changed["changes"]}
    assert changes == {
        "description": ("New supervisory guidance on model risk.", "Rewritten."),
        "owner": ("—", str(admin)),
    }
    assert created["changes"] == []
    html = response.content.decode()
    assert "Supervisory &lt;b&gt;guidance&lt;/b&gt;" in html
    assert "<b>guidance" not in html
    assert "None" not in html


def test_the_period_runs_from_the_first_day_to_the_audit_date_inclusive(client, auditor):
    for title, when in (
        ("Before", at(date(2025, 9, 30), 23, 59)),
        ("First day", at(date(2025, 10, 1), 0, 1)),
        ("Audit date", at(date(2025, 11, 30), 23, 59)),
        ("After", at(date(2025, 12, 1), 0, 1)),
    ):
        stamp(ContextIssueFactory(title=title), when)
    client.force_login(auditor)
    found = entries(client, **PERIOD)
    assert [entry.split(" ", 1)[1] for entry, _action in found] == ["Audit date", "First day"]
    assert len(entries(client, register="context.contextissue")) == 4


def test_filters_by_user_register_and_ai_system(client, auditor, compliance_officer):
    system, other_system = AISystemFactory(name="Claims triage"), AISystemFactory(name="Chatbot")
    version = ModelVersionFactory(system=system, version_label="2.0")
    gone = ModelVersionFactory(system=system, version_label="0.9")
    ModelVersionFactory(system=other_system, version_label="7.0")
    risk = RiskFactory(title="Prompt injection")
    risk.ai_systems.set([system])
    TreatmentActionFactory(risk=risk, title="Filter e-mails")
    TreatmentActionFactory(title="Unrelated action")
    issue = ContextIssueFactory(title="By the officer")
    stamp(issue, timezone.now(), compliance_officer)
    gone_label = f"#{gone.pk}"
    gone.delete()
    client.force_login(auditor)

    assert entries(client, user=compliance_officer.pk) == [
        (f"{issue.reference} By the officer", "created")
    ]
    assert {action for _entry, action in entries(client, register="inventory.modelversion")} == {
        "created",
        "deleted",
    }
    assert len(entries(client, register="inventory.modelversion")) == 4
    of_system = entries(client, ai_system=system.pk)
    assert {entry for entry, _action in of_system} == {
        f"{system.reference} Claims triage",
        str(version),
        gone_label,  # deleted: its history still names its system
        f"{risk.reference} Prompt injection",
        "Filter e-mails",
    }
    assert (gone_label, "deleted") in of_system
    assert entries(client, ai_system=system.pk, register="context.contextissue") == []


def test_an_owner_sees_only_changes_to_what_they_own(client, reader):
    mine = AISystemFactory(name="Mine", owner=reader)
    others = AISystemFactory(name="Theirs", owner=UserFactory())
    ModelVersionFactory(system=mine, version_label="1.0")
    ModelVersionFactory(system=others, version_label="9.9")
    ContextIssueFactory(title="Someone else's issue", owner=UserFactory())
    client.force_login(reader)
    found = entries(client)
    assert sorted(found) == sorted(
        [(f"{mine.reference} Mine", "created"), (str(mine.versions.get()), "created")]
    )
    refused = client.get(URL, {"ai_system": others.pk})  # not offered: out of scope
    assert refused.context["page"] is None
    assert "ai_system" in refused.context["form"].errors


def test_deleted_entries_show_as_deleted_without_a_link(client, compliance_officer, auditor):
    issue = ContextIssueFactory(title="Withdrawn")
    label = f"{issue.reference} Withdrawn"
    client.force_login(compliance_officer)
    response = client.post(reverse("context:contextissue_delete", args=[issue.pk]))
    assert response.status_code == 302
    client.force_login(auditor)
    response = client.get(URL, {"register": "context.contextissue"})
    deleted, created = response.context["page"]
    assert (deleted["entry"], str(deleted["action"]), deleted["url"]) == (label, "deleted", "")
    assert (created["entry"], created["url"]) == (label, "")
    assert f'href="{reverse("context:contextissue_detail", args=[issue.pk])}"' not in (
        response.content.decode()
    )


def export_of(client, fmt, **params):
    response = client.get(
        reverse("core:activity_export", args=[fmt]), params, HTTP_ACCEPT_LANGUAGE="de"
    )
    assert response.status_code == 200
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8").lstrip("\ufeff"))))
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_hold_the_filtered_rows_with_translated_headers(client, auditor, fmt):
    when = at(date(2025, 10, 15), 9, 30)
    inside = ContextIssueFactory(title="=SUM(A1)")
    stamp(inside, at(date(2025, 9, 20)))
    inside.title = "Reworded"
    inside.save()
    stamp(inside, when, auditor)
    stamp(ContextIssueFactory(title="Outside"), at(date(2025, 12, 2)))
    client.force_login(auditor)
    header, *rows = export_of(client, fmt, **PERIOD)
    with translation.override("de"):
        assert header == [
            "Wann",
            "Wer",
            "Was",
            "Register",
            "Eintrag",
            translation.gettext("Changes"),
        ]
        if fmt == "csv":
            assert rows[0][0] == exports.as_text(when)
        changed = [str(auditor), "geändert", "Kontextthema", f"{inside.reference} Reworded"]
        # A value that a spreadsheet would run as a formula is stored as text.
        assert rows[0][5] == "Titel: =SUM(A1) → Reworded"
    assert [row[1:5] for row in rows] == [changed]


def test_the_page_costs_the_same_queries_for_one_row_and_many(
    client, auditor, django_assert_num_queries
):
    for register in registry:  # an empty log: the data migrations' entries have history too
        register.model.history.all().delete()
    client.force_login(auditor)
    client.get(URL)  # the session and the user's permissions, as on any later page

    def changes(count):
        for n in range(count):
            issue = ContextIssueFactory(title=f"Issue {n}", owner=auditor)
            issue.owner = None
            issue.save()
            system = AISystemFactory(name=f"System {n}")
            system.name = f"System {n} renamed"
            system.save()
        for model in (ContextIssue, AISystem):
            model.history.update(history_user=auditor)

    changes(1)
    with django_assert_num_queries(QUERIES):
        assert client.get(URL).status_code == 200
    changes(10)
    with django_assert_num_queries(QUERIES):
        response = client.get(URL)
    assert len(response.context["page"]) == 25
    assert all(entry["who"] == str(auditor) for entry in response.context["page"])


QUERIES = 16


def test_who_may_open_the_log(client, make_user, auditor):
    assert client.get(URL).status_code == 302
    client.force_login(make_user("no_role"))
    assert client.get(URL).status_code == 403
    client.force_login(auditor)
    response = client.get(URL)
    assert f'href="{URL}"' in response.content.decode()  # in the navigation
    assert client.get(reverse("core:activity_export", args=["pdf"])).status_code == 404
    assert (
        client.get(URL, {"date_from": "2025-12-01", "date_to": "2025-11-01"}).context["page"]
        is None
    )


@pytest.mark.parametrize("fmt", [None, "csv", "xlsx"])
def test_a_change_whose_earlier_state_is_gone_is_listed_without_differences(client, auditor, fmt):
    """The first change row of an entry whose links are kept in its history, after its creation
    row was pruned: listed as changed without differences; the page and exports answer."""
    system = AISystemFactory(name="Claims triage")
    risk = RiskFactory(title="Biased triage")
    risk.ai_systems.add(system)  # the first change row
    risk.title = "Biased claims triage"
    risk.save()
    risk.history.filter(history_type="+").delete()
    client.force_login(auditor)
    if fmt is None:
        response = client.get(URL, {"register": "risks.risk"})
        assert response.status_code == 200
        latest, first = response.context["page"]
        assert (str(latest["action"]), str(first["action"])) == ("changed", "changed")
        assert [tuple(map(str, change)) for change in latest["changes"]] == [
            ("title", "Biased triage", "Biased claims triage")
        ]
        assert first["changes"] == []
    else:
        header, latest, first = export_of(client, fmt, register="risks.risk")
        assert "Biased triage → Biased claims triage" in " ".join(map(str, latest))
        assert "→" not in " ".join(map(str, first))
