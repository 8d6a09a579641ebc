"""The risk register as a list: a query bound at 10,000 risks, filters, search and export; the
built-in risk library and risks created from it; what a system owner may do with their risks."""

import csv
import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from risks.models import LibraryRisk, Risk, TreatmentAction
from tests.factories import (
    AISystemFactory,
    LibraryRiskFactory,
    RiskFactory,
    TreatmentActionFactory,
    UserFactory,
    active_criteria,
)
from tests.risks.helpers import criteria_with, edit_risk, list_total, listed

LIST = reverse("risks:risk_list")
PINNED = json.loads((Path(__file__).parents[1] / "core" / "query_counts.json").read_text())


def in_days(days):
    return timezone.localdate() + timedelta(days=days)


# The query bound -------------------------------------------------------------------------------


def bulk_risks(count, criteria, owner, systems, start):
    """`count` risks straight into the database, levels set as Risk.save would set them."""
    risks = []
    for n in range(start, start + count):
        likelihood, impact = n % 5 + 1, n // 5 % 5 + 1
        risks.append(
            Risk(
                reference=f"R-{n + 1:05d}",
                title=f"Bulk risk {n + 1}",
                category="security" if n % 2 else "privacy",
                criteria=criteria,
                owner=owner if n % 3 else None,
                inherent_likelihood=likelihood,
                inherent_impact=impact,
                inherent_level=criteria.level(likelihood, impact),
                residual_likelihood=1,
                residual_impact=impact,
                residual_level=criteria.level(1, impact),
                next_review=in_days(n % 400 - 30),
            )
        )
    Risk.objects.bulk_create(risks, batch_size=1000)
    new = Risk.objects.filter(reference__gte=f"R-{start + 1:05d}").values_list("pk", flat=True)
    Link = Risk.ai_systems.through
    Link.objects.bulk_create(
        [
            Link(risk_id=pk, aisystem_id=systems[pk % len(systems)].pk)
            for pk in new.iterator()
            if pk % 4
        ],
        batch_size=2000,
    )


def list_queries(client, url=LIST):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def test_the_list_costs_the_same_queries_for_10_and_10000_risks(client, compliance_officer):
    criteria = active_criteria()
    systems = AISystemFactory.create_batch(3)
    client.force_login(compliance_officer)
    bulk_risks(10, criteria, compliance_officer, systems, start=0)
    client.get(LIST)  # warm the caches (content types, permissions) outside the count
    ten, response = list_queries(client)
    assert list_total(response) == 10

    bulk_risks(9_990, criteria, compliance_officer, systems, start=10)
    many, response = list_queries(client)

    assert list_total(response) == 10_000
    assert len(response.context["table"].page.object_list) == 25
    assert response.content.decode().count('class="heat-cell"') == 50
    assert ten == many == PINNED["risk"]
    # A filtered view of the big register is bounded the same way.
    filtered, response = list_queries(client, f"{LIST}?category=security&treatment=none")
    assert list_total(response) == 5_000
    assert filtered == many


# Filters, search and export --------------------------------------------------------------------


@pytest.fixture
def register(compliance_officer, system_owner):
    """Six risks with declared systems, owners, categories, levels, actions and review dates."""
    active_criteria()
    chatbot, scoring = AISystemFactory(name="Chatbot"), AISystemFactory(name="Claims scoring")
    risks = {
        "injection": RiskFactory(
            title="Prompt injection through e-mails",
            owner=system_owner,
            category="security",
            inherent_likelihood=4, inherent_impact=4,  # critical
            residual_likelihood=2, residual_impact=3,  # medium
            next_review=in_days(60),
        ),
        "leak": RiskFactory(
            title="Training data leaks personal data",
            owner=compliance_officer,
            category="privacy",
            inherent_likelihood=2, inherent_impact=2,  # medium
            residual_likelihood=1, residual_impact=1,  # low
            next_review=in_days(60),
        ),
        "bias": RiskFactory(
            title="Biased claim scores",
            description="Older customers get lower scores.",
            owner=system_owner,
            category="bias_fairness",
            inherent_likelihood=5, inherent_impact=5,  # critical
            residual_likelihood=3, residual_impact=3,  # high
            next_review=in_days(60),
        ),
        "outage": RiskFactory(
            title="Model outage during peak season",
            owner=None,
            category="safety",
            inherent_likelihood=1, inherent_impact=1,  # low
            residual_likelihood=None, residual_impact=None,
            next_review=None,
        ),
        "ruling": RiskFactory(
            title="New ruling on automated decisions",
            owner=compliance_officer,
            category="legal",
            inherent_likelihood=3, inherent_impact=4,  # high
            residual_likelihood=None, residual_impact=None,
            status="in_treatment",
            next_review=in_days(-1),
        ),
        "retired": RiskFactory(
            title="Retired scoring model misuse",
            owner=compliance_officer,
            category="security",
            inherent_likelihood=1, inherent_impact=2,  # low
            residual_likelihood=None, residual_impact=None,
            status="closed",
            next_review=in_days(-100),
        ),
    }  # fmt: skip
    risks["injection"].ai_systems.set([chatbot])
    risks["leak"].ai_systems.set([scoring])
    risks["bias"].ai_systems.set([chatbot, scoring])
    TreatmentActionFactory(risk=risks["leak"], status="planned", due_date=in_days(30))
    TreatmentActionFactory(risk=risks["bias"], status="in_progress", due_date=in_days(-3))
    TreatmentActionFactory(risk=risks["bias"], status="done", due_date=in_days(-30))
    TreatmentActionFactory(risk=risks["outage"], status="done", due_date=in_days(-10))
    TreatmentActionFactory(risk=risks["outage"], status="cancelled", due_date=in_days(10))
    TreatmentActionFactory(risk=risks["ruling"], status="cancelled", due_date=in_days(-10))
    return {"chatbot": chatbot, "scoring": scoring, **risks}


def names(register, response):
    by_reference = {risk.reference: name for name, risk in register.items() if name in RISKS}
    return {by_reference[reference] for reference in listed(response)}


RISKS = ("injection", "leak", "bias", "outage", "ruling", "retired")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", set(RISKS)),
        ("ai_systems={chatbot}", {"injection", "bias"}),
        ("ai_systems={scoring}", {"leak", "bias"}),
        ("owner={system_owner}", {"injection", "bias"}),
        ("owner={compliance_officer}", {"leak", "ruling", "retired"}),
        ("category=security", {"injection", "retired"}),
        ("category=security&owner={system_owner}", {"injection"}),
        ("inherent_level=critical", {"injection", "bias"}),
        ("inherent_level=low", {"outage", "retired"}),
        ("residual_level=low", {"leak"}),
        ("residual_level=high", {"bias"}),
        ("treatment=none", {"injection", "ruling", "retired"}),
        ("treatment=open", {"leak", "bias"}),
        ("treatment=overdue", {"bias"}),
        ("treatment=done", {"outage"}),
        ("review_overdue=yes", {"ruling"}),
        ("status=closed", {"retired"}),
        ("q=injection", {"injection"}),
        ("q=personal+data", {"leak"}),
        ("q=older+customers", {"bias"}),
        ("q=scoring", {"retired"}),
        ("q={bias_reference}", {"bias"}),
        ("inherent_level=nonsense", set()),
        ("ai_systems=999999", set()),
    ],
)
def test_the_list_filters_and_searches(
    client, compliance_officer, system_owner, register, query, expected
):
    query = query.format(
        chatbot=register["chatbot"].pk,
        scoring=register["scoring"].pk,
        system_owner=system_owner.pk,
        compliance_officer=compliance_officer.pk,
        bias_reference=register["bias"].reference,
    )
    client.force_login(compliance_officer)
    assert names(register, client.get(f"{LIST}?{query}")) == expected


def export_rows(client, query=""):
    response = client.get(f"{reverse('risks:risk_export', args=['csv'])}?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def test_the_csv_export_holds_the_risks_with_their_level_labels(client, auditor, register):
    client.force_login(auditor)
    header, *rows = export_rows(client)
    assert header[:3] == ["Reference", "Title", "Category"]
    assert "Inherent level" in header and "Residual level" in header
    by_reference = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert len(by_reference) == len(RISKS)
    bias = by_reference[register["bias"].reference]
    assert bias["Title"] == "Biased claim scores"
    assert bias["Category"] == "Bias and fairness"
    assert (bias["Inherent level"], bias["Residual level"]) == ("Critical", "High")
    assert register["chatbot"].reference in bias["AI systems"]
    assert register["scoring"].reference in bias["AI systems"]
    injection = by_reference[register["injection"].reference]
    assert (injection["Inherent level"], injection["Residual level"]) == ("Critical", "Medium")
    assert by_reference[register["outage"].reference]["Residual level"] == ""


def test_the_export_follows_the_list_filters(client, auditor, register):
    client.force_login(auditor)
    _header, *rows = export_rows(client, "category=security")
    assert {row[0] for row in rows} == {
        register["injection"].reference,
        register["retired"].reference,
    }


def test_a_user_without_a_role_gets_no_register(client, make_user, register):
    client.force_login(make_user("no_role"))
    assert client.get(LIST).status_code == 403
    assert client.get(register["bias"].get_absolute_url()).status_code == 404


# The library -----------------------------------------------------------------------------------

LIBRARY = reverse("risks:libraryrisk_list")


def test_the_library_lists_every_shipped_entry(client, auditor):
    assert LibraryRisk.objects.count() == 55
    client.force_login(auditor)
    response = client.get(LIBRARY)
    assert list_total(response) == 55
    export = client.get(reverse("risks:libraryrisk_export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(export.getvalue().decode("utf-8-sig"))))
    assert len(rows) == 1 + 55
    titles = {row[0] for row in rows[1:]}
    assert titles == set(LibraryRisk.objects.values_list("title", flat=True))


def test_the_library_filters_by_category(client, auditor):
    client.force_login(auditor)
    response = client.get(f"{LIBRARY}?category=security")
    expected = LibraryRisk.objects.filter(category="security").count()
    assert 0 < list_total(response) == expected < 55


def create_from(client, entry, *systems):
    return client.post(
        reverse("risks:from_library", args=[entry.pk]),
        {"ai_systems": [system.pk for system in systems]},
        follow=True,
    )


def test_a_risk_is_created_from_a_library_entry_in_one_step(client, compliance_officer):
    criteria = active_criteria()
    chatbot = AISystemFactory(name="Customer chatbot")
    entry = LibraryRisk.objects.get(code="prompt-injection")
    client.force_login(compliance_officer)
    detail = client.get(entry.get_absolute_url()).content.decode()
    assert reverse("risks:from_library", args=[entry.pk]) in detail

    response = create_from(client, entry, chatbot)

    risk = Risk.objects.get()
    assert response.redirect_chain == [(risk.get_absolute_url(), 302)]
    assert f"Risk {risk.reference} created from the library" in response.content.decode()
    assert risk.title == "Prompt injection"
    assert risk.category == "security"
    assert risk.risk_source == "machine_learning"
    assert sorted(risk.controls.values_list("code", flat=True)) == [
        "A.6.1.3",
        "A.6.2.4",
        "A.6.2.6",
        "A.6.2.8",
    ]
    assert risk.objectives == ["robustness", "security"]
    assert list(risk.ai_systems.all()) == [chatbot]
    assert risk.owner == compliance_officer
    assert risk.library_code == "prompt-injection"
    assert risk.criteria == criteria
    # The entry's typical values are of 5, as the 5×5 criteria: they carry over unchanged.
    assert (risk.inherent_likelihood, risk.inherent_impact, risk.inherent_level) == (
        4,
        4,
        "critical",
    )
    assert risk.residual_level == ""
    assert risk.history.first().history_user == compliance_officer


def test_library_scores_are_rescaled_onto_smaller_active_criteria(client, compliance_officer):
    criteria_with(
        [
            ["low", "low", "medium", "medium"],
            ["low", "medium", "high", "high"],
            ["medium", "high", "critical", "critical"],
        ],
        status="active",
    )
    chatbot = AISystemFactory(name="Customer chatbot")
    client.force_login(compliance_officer)
    cases = {(4, 4): (2, 3), (1, 1): (1, 1), (5, 5): (3, 4), (2, 3): (1, 2), (3, 2): (2, 2)}
    levels = {(4, 4): "high", (1, 1): "low", (5, 5): "critical", (2, 3): "low", (3, 2): "medium"}
    for (likelihood, impact), expected in cases.items():
        entry = LibraryRiskFactory(likelihood=likelihood, impact=impact)
        create_from(client, entry, chatbot)
        risk = Risk.objects.get(library_code=entry.code)
        assert (risk.inherent_likelihood, risk.inherent_impact) == expected
        assert risk.inherent_level == levels[(likelihood, impact)]


def test_without_active_criteria_a_library_risk_is_created_unscored(client, compliance_officer):
    chatbot = AISystemFactory()
    client.force_login(compliance_officer)
    create_from(client, LibraryRisk.objects.get(code="model-drift"), chatbot)
    risk = Risk.objects.get()
    assert risk.criteria is None
    assert (risk.inherent_likelihood, risk.inherent_level) == (None, "")


@pytest.mark.parametrize("persona", ["auditor", "system_owner", "ai_officer"])
def test_only_register_keepers_create_risks_from_the_library(client, make_user, persona):
    active_criteria()
    user = make_user(persona)
    chatbot = AISystemFactory(owner=user)
    entry = LibraryRisk.objects.get(code="prompt-injection")
    client.force_login(user)
    assert "Create risk" not in client.get(entry.get_absolute_url()).content.decode()
    response = client.post(
        reverse("risks:from_library", args=[entry.pk]), {"ai_systems": [chatbot.pk]}
    )
    assert response.status_code == 403
    assert not Risk.objects.exists()


def test_a_library_risk_without_a_system_is_refused_with_a_message(client, compliance_officer):
    active_criteria()
    entry = LibraryRisk.objects.get(code="prompt-injection")
    client.force_login(compliance_officer)
    response = create_from(client, entry)
    assert response.redirect_chain == [(entry.get_absolute_url(), 302)]
    assert "Choose the AI system the risk concerns." in response.content.decode()
    assert not Risk.objects.exists()


def test_a_library_risk_for_an_unknown_system_is_refused(client, compliance_officer):
    entry = LibraryRisk.objects.get(code="prompt-injection")
    client.force_login(compliance_officer)
    response = client.post(reverse("risks:from_library", args=[entry.pk]), {"ai_systems": [0]})
    assert response.status_code == 302
    assert not Risk.objects.exists()


def test_library_entries_are_built_in_and_not_edited(client, compliance_officer):
    entry = LibraryRisk.objects.get(code="prompt-injection")
    client.force_login(compliance_officer)
    assert client.post(reverse("risks:libraryrisk_delete", args=[entry.pk])).status_code == 403
    assert LibraryRisk.objects.filter(pk=entry.pk).exists()


def heading(html):
    return re.search(r"<h1[^>]*>(.*?)</h1>", html, flags=re.DOTALL).group(1).strip()


@pytest.fixture
def english_afterwards():
    """The locale middleware leaves the request's language active in the test's thread."""
    yield
    translation.activate("en")


def test_a_library_entry_shows_its_german_title_in_german(client, auditor, english_afterwards):
    entry = LibraryRisk.objects.get(code="model-drift")
    client.force_login(auditor)
    english = client.get(entry.get_absolute_url()).content.decode()
    assert heading(english) == "Model drift"
    german = client.get(entry.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert heading(german) == "Modelldrift"
    assert "Die Daten, die ein Modell im Betrieb erhält" in german
    assert '<html lang="de"' in german
    listing = client.get(f"{LIBRARY}?q=drift", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Modelldrift" in listing


def test_the_language_cookie_chooses_german_too(client, auditor, settings, english_afterwards):
    entry = LibraryRisk.objects.get(code="prompt-injection")
    client.force_login(auditor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    assert heading(client.get(entry.get_absolute_url()).content.decode()) == "Prompt-Injection"


# System owners and their risks -----------------------------------------------------------------


def test_a_system_owner_edits_the_risk_they_own(client, system_owner):
    active_criteria()
    risk = RiskFactory(owner=system_owner)
    client.force_login(system_owner)
    response = edit_risk(
        client, risk, system_owner, description="Filters are in place.", residual_impact=1
    )
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.description == "Filters are in place."
    assert (risk.residual_impact, risk.residual_level) == (1, "low")
    assert risk.history.first().history_user == system_owner


def test_a_system_owner_cannot_hand_their_risk_to_someone_else(client, system_owner):
    active_criteria()
    risk = RiskFactory(owner=system_owner)
    client.force_login(system_owner)
    edit_risk(client, risk, system_owner, owner=UserFactory().pk)
    risk.refresh_from_db()
    assert risk.owner == system_owner


def test_a_system_owner_adds_treatment_actions_to_their_risk(client, system_owner):
    active_criteria()
    own = RiskFactory(owner=system_owner)
    other = RiskFactory(owner=UserFactory(role="System Owner"))
    client.force_login(system_owner)
    add = reverse("risks:treatmentaction_add")
    form = client.get(add).context["form"]
    assert list(form.fields["risk"].queryset) == [own]
    action = {
        "title": "Filter untrusted content",
        "description": "",
        "owner": system_owner.pk,
        "due_date": in_days(30).isoformat(),
        "status": "planned",
        "loaded_version": "",
    }
    assert client.post(add, {**action, "risk": own.pk}).status_code == 302
    response = client.post(add, {**action, "risk": other.pk})
    assert "risk" in response.context["form"].errors
    assert list(TreatmentAction.objects.values_list("risk", flat=True)) == [own.pk]
    detail = client.get(own.get_absolute_url()).content.decode()
    assert "Filter untrusted content" in detail


def test_a_system_owner_gets_403_for_the_edit_page_of_another_owners_risk(client, system_owner):
    active_criteria()
    other = RiskFactory(owner=UserFactory(role="System Owner"), title="Someone else's risk")
    client.force_login(system_owner)
    edit = reverse("risks:risk_edit", args=[other.pk])
    assert client.get(edit).status_code == 403
    payload = {"title": "Taken over", "category": "security", "loaded_version": other.version}
    assert client.post(edit, payload).status_code == 403
    other.refresh_from_db()
    assert other.title == "Someone else's risk"
    # Reading is the role's right: the risk is visible, only not changeable.
    detail = client.get(other.get_absolute_url())
    assert detail.status_code == 200
    assert edit not in detail.content.decode()
