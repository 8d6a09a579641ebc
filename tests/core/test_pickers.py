"""Pickers: long object dropdowns render only what is chosen and search the rest through the
endpoint, which builds the same form for the same user: it never offers what the form would
not accept."""

import re

from django import forms as dj_forms
from django.urls import reverse

from aims.core import pickers
from aims.core.forms import style_widgets
from aims.core.registry import registry
from aims.inventory.models import AISystem
from controls.models import Control, Evidence
from controls.models.catalogue import Framework
from risks.forms import RiskForm
from tests.factories import (
    AISystemFactory,
    ControlFactory,
    EvidenceFactory,
    RiskFactory,
    UserFactory,
)


def pick(client, label, name, **params):
    return client.get(reverse("core:pick", args=[label, name]), params)


def all_pages(client, label, name, **params):
    results, page = [], 1
    while True:
        data = pick(client, label, name, page=page, **params).json()
        results += data["results"]
        if not data["more"]:
            return results
        page += 1


def options(html, name):
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return select, re.findall(r'<option value="(\d+)"', select)


def test_a_system_owner_searching_controls_sees_the_catalogue(client, system_owner):
    client.force_login(system_owner)
    data = pick(client, "controls.evidence", "controls", q="A.6.2.4").json()
    assert [(r["label"], r["optgroup"]) for r in data["results"]] == [
        (
            "A.6.2.4 AI system verification and validation",
            "ISO/IEC 42001 Annex A · A.6 AI system life cycle",
        )
    ]
    assert data["more"] is False


def test_the_catalogue_comes_by_catalogue_and_objective_iso_42001_first(client, system_owner):
    client.force_login(system_owner)
    first = pick(client, "controls.evidence", "controls").json()
    assert len(first["results"]) == pickers.PAGE_SIZE
    assert first["more"] is True
    assert first["results"][0]["optgroup"] == "ISO/IEC 42001 Annex A · A.2 Policies related to AI"
    results = all_pages(client, "controls.evidence", "controls")
    assert len(results) == Control.objects.count()
    catalogues = []
    for result in results:
        catalogue = result["optgroup"].split(" · ")[0]
        if catalogue not in catalogues:
            catalogues.append(catalogue)
    assert catalogues == [str(label) for label in Framework.labels if label in catalogues]
    groups = [result["optgroup"] for result in results]
    assert groups == sorted(groups, key=groups.index)  # each group in one piece


def test_searching_risks_offers_only_the_owners_own(client, system_owner):
    mine = RiskFactory(owner=system_owner, title="Prompt injection in the mail assistant")
    RiskFactory(owner=UserFactory(role="System Owner"), title="Prompt injection elsewhere")
    client.force_login(system_owner)
    # Owners add treatment actions to the risks they may change.
    results = all_pages(client, "risks.treatmentaction", "risk", q="prompt injection")
    assert [r["value"] for r in results] == [str(mine.pk)]
    assert all_pages(client, "risks.treatmentaction", "risk") == results


def test_another_owners_entries_never_appear(client, system_owner):
    RiskFactory(owner=system_owner, title="Mine")
    theirs = RiskFactory(owner=UserFactory(role="System Owner"), title="Theirs")
    client.force_login(system_owner)
    for query in ("Theirs", theirs.reference):
        assert pick(client, "risks.treatmentaction", "risk", q=query).json()["results"] == []


def test_an_owner_without_a_risk_to_change_may_not_open_the_form(client, system_owner):
    RiskFactory(owner=UserFactory(role="System Owner"))
    client.force_login(system_owner)
    assert pick(client, "risks.treatmentaction", "risk").status_code == 404


def test_unknown_registers_and_fields_answer_404(client, system_owner):
    client.force_login(system_owner)
    assert pick(client, "controls.nothing", "controls").status_code == 404
    assert pick(client, "controls.evidence", "nothing").status_code == 404
    assert pick(client, "controls.evidence", "title").status_code == 404  # not a choice
    assert pick(client, "controls.soaversion", "control").status_code == 404  # no form


def test_a_register_the_user_may_not_open_with_its_form_answers_404(client, auditor):
    client.force_login(auditor)  # reads evidence, adds and changes none
    assert pick(client, "controls.evidence", "controls").status_code == 404


def test_an_entry_outside_the_users_change_scope_answers_404(client, system_owner):
    theirs = EvidenceFactory()
    client.force_login(system_owner)
    response = pick(client, "controls.evidence", "controls", pk=theirs.pk)
    assert response.status_code == 404
    assert pick(client, "controls.evidence", "controls", pk="9" * 30).status_code == 404


def test_the_edit_form_of_an_entry_is_searched(client, system_owner):
    mine = EvidenceFactory(uploaded_by=system_owner)
    client.force_login(system_owner)
    response = pick(client, "controls.evidence", "controls", pk=mine.pk, q="A.6.2.4")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_the_endpoint_needs_a_login(client):
    response = pick(client, "controls.evidence", "controls")
    assert response.status_code == 302


def test_labels_come_as_data_and_the_page_escapes_them(client, compliance_officer):
    control = ControlFactory(code="OWN-X", title='<img src=x onerror="alert(1)">')
    client.force_login(compliance_officer)
    response = pick(client, "controls.evidence", "controls", q="OWN-X")
    assert response["Content-Type"] == "application/json"
    assert response.json()["results"][0]["label"] == 'OWN-X <img src=x onerror="alert(1)">'
    evidence = EvidenceFactory(controls=["OWN-X"])
    html = client.get(reverse("controls:evidence_edit", args=[evidence.pk])).content.decode()
    select, shown = options(html, "controls")
    assert shown == [str(control.pk)]
    assert "<img" not in select and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in select


def test_a_long_list_renders_only_the_chosen_options(client, compliance_officer):
    risk = RiskFactory(controls=["A.6.2.4", "A.2.2"])
    client.force_login(compliance_officer)
    html = client.get(reverse("risks:risk_edit", args=[risk.pk])).content.decode()
    select, shown = options(html, "controls")
    assert sorted(shown) == sorted(str(c.pk) for c in risk.controls.all())
    assert 'data-picker="remote"' in select
    assert f'data-picker-url="/pick/risks.risk/controls/?pk={risk.pk}"' in select
    assert '<optgroup label="ISO/IEC 42001 Annex A · A.2 Policies related to AI">' in select
    add = client.get(reverse("risks:risk_add")).content.decode()
    assert options(add, "controls")[1] == []


def test_a_medium_list_is_searched_in_the_page(system_owner):
    form = pickers_form(system_owner, count=pickers.SEARCH_FROM + 1)
    select, shown = options(str(form["risks"]), "risks")
    assert 'data-picker="search"' in select and len(shown) == pickers.SEARCH_FROM + 1


def test_a_short_list_stays_a_plain_dropdown(system_owner):
    form = pickers_form(system_owner, count=pickers.SEARCH_FROM)
    select, shown = options(str(form["risks"]), "risks")
    assert "data-picker" not in select and len(shown) == pickers.SEARCH_FROM


def pickers_form(user, count):
    RiskFactory.create_batch(count, owner=user, controls=[])
    return registry[Evidence].form(user=user)


def test_a_long_list_outside_a_register_form_is_searched_in_the_page(compliance_officer):
    form = dj_forms.Form()
    form.fields["control"] = dj_forms.ModelChoiceField(queryset=Control.objects.all())
    style_widgets(form)
    select, shown = options(str(form["control"]), "control")
    assert 'data-picker="search"' in select and len(shown) == Control.objects.count()


def test_a_choice_not_in_the_page_is_accepted_on_save(compliance_officer):
    risk = RiskFactory(controls=["A.2.2"])
    control = Control.objects.get(code="A.10.4")
    form = RiskForm(instance=risk, user=compliance_officer)
    assert str(control.pk) not in options(str(form["controls"]), "controls")[1]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["controls"] = [str(control.pk)]
    bound = RiskForm(data, instance=risk, user=compliance_officer)
    assert bound.is_valid(), bound.errors
    assert list(bound.cleaned_data["controls"]) == [control]


def test_a_refused_form_shows_the_chosen_options_and_ignores_garbage(compliance_officer):
    risk = RiskFactory(controls=["A.2.2"])
    control = Control.objects.get(code="A.10.4")
    data = {"controls": [str(control.pk), "abc", str(2**70)], "loaded_version": risk.version}
    form = RiskForm(data, instance=risk, user=compliance_officer)
    assert not form.is_valid()
    assert options(str(form["controls"]), "controls")[1] == [str(control.pk)]


def test_the_search_costs_a_fixed_number_of_queries(
    client, system_owner, django_assert_num_queries
):
    RiskFactory(owner=system_owner)
    client.force_login(system_owner)
    # The first requests fill the process's caches (content types).
    pick(client, "controls.evidence", "controls", q="A.6")
    pick(client, "risks.treatmentaction", "risk", q="risk")
    # Session, user, the user's two permission sets, the search (one query with the groups).
    with django_assert_num_queries(5):
        response = pick(client, "controls.evidence", "controls", q="A.6")
    assert len(response.json()["results"]) == Control.objects.filter(code__startswith="A.6").count()
    # And whether the owner has a risk to add actions to (may open the form).
    with django_assert_num_queries(6):
        response = pick(client, "risks.treatmentaction", "risk", q="risk")
    assert len(response.json()["results"]) == 1


# Filter forms of the register lists and the other forms of the portal ---------------------------


def pick_filter(client, label, name, **params):
    return client.get(reverse("core:pick_filter", args=[label, name]), params)


def many_systems(count=pickers.REMOTE_FROM + 1):
    return AISystem.objects.bulk_create(
        AISystem(reference=f"AIS-S{n:03}", name=f"Scaled system {n:03}", purpose="Sorts claims.")
        for n in range(count)
    )


def test_a_long_filter_renders_only_the_chosen_system_with_its_label(client, compliance_officer):
    many_systems()
    system = AISystemFactory(name='Claims <b>triage</b> & "routing"')
    client.force_login(compliance_officer)
    url = reverse("controls:evidence_list")
    html = client.get(url, {"ai_systems": system.pk}).content.decode()
    select, shown = options(html, "ai_systems")
    assert shown == [str(system.pk)]
    assert "Claims &lt;b&gt;triage&lt;/b&gt; &amp; &quot;routing&quot;" in select
    assert "<b>" not in select
    assert 'data-picker="remote"' in select
    assert 'data-picker-url="/pick/filter/controls.evidence/ai_systems/"' in select
    assert options(client.get(url).content.decode(), "ai_systems")[1] == []
    data = pick_filter(client, "controls.evidence", "ai_systems", q="triage").json()
    assert data["results"] == [
        {"value": str(system.pk), "label": f"{system.reference} {system.name}", "optgroup": ""}
    ]


def test_a_filter_search_offers_what_the_filter_accepts(client, system_owner):
    EvidenceFactory(uploaded_by=system_owner)  # owners see the list of what they added
    client.force_login(system_owner)
    act = Control.objects.filter(framework=Framework.EU_AI_ACT).first()
    iso = Control.objects.get(code="A.6.2.4")
    # The evidence list filters by the controls evidence is kept for: not the AI Act's.
    assert pick_filter(client, "controls.evidence", "controls", q=act.code).json() == {
        "results": [],
        "more": False,
    }
    found = pick_filter(client, "controls.evidence", "controls", q="A.6.2.4").json()["results"]
    assert [r["value"] for r in found] == [str(iso.pk)]
    assert found[0]["optgroup"] == "ISO/IEC 42001 Annex A · A.6 AI system life cycle"


def test_a_filter_search_pages_through_every_choice(client, compliance_officer):
    systems = many_systems(pickers.PAGE_SIZE * 2 + 5)
    client.force_login(compliance_officer)
    results, page = [], 1
    while True:
        data = pick_filter(client, "risks.risk", "ai_systems", q="scaled", page=page).json()
        results += data["results"]
        if not data["more"]:
            break
        page += 1
    assert page == 3
    assert sorted(int(r["value"]) for r in results) == sorted(s.pk for s in systems)


def test_inactive_users_are_never_offered_by_a_filter(client, compliance_officer):
    UserFactory(username="gone", last_name="Departed", is_active=False)
    here = UserFactory(username="here", last_name="Departed")
    client.force_login(compliance_officer)
    results = pick_filter(client, "risks.risk", "owner", q="Departed").json()["results"]
    assert [r["value"] for r in results] == [str(here.pk)]


def test_filters_of_lists_the_user_may_not_open_answer_404(client, make_user):
    client.force_login(make_user("no_role"))
    assert pick_filter(client, "risks.risk", "owner").status_code == 404
    client.force_login(make_user("auditor"))  # reads the evidence list, adds none
    assert pick_filter(client, "controls.evidence", "ai_systems").status_code == 200


def test_unknown_filters_answer_404(client, compliance_officer):
    client.force_login(compliance_officer)
    assert pick_filter(client, "controls.nothing", "owner").status_code == 404
    assert pick_filter(client, "controls.evidence", "nothing").status_code == 404
    assert pick_filter(client, "controls.evidence", "validity").status_code == 404  # no objects
    assert pick_filter(client, "controls.evidence", "awaiting_my_decision").status_code == 404
    response = client.get(reverse("core:pick_form", args=["nothing", "user"]))
    assert response.status_code == 404


def test_the_filter_endpoint_needs_a_login(client):
    assert pick_filter(client, "risks.risk", "owner").status_code == 302


def test_a_long_checkbox_list_becomes_a_picker_of_the_checked(client, compliance_officer):
    client.force_login(compliance_officer)
    few = AISystemFactory.create_batch(3)
    html = client.get(reverse("risks:risk_add")).content.decode()
    assert html.count('type="checkbox" name="ai_systems"') == len(few)
    many_systems()
    risk = RiskFactory()
    risk.ai_systems.set(few[:1])
    html = client.get(reverse("risks:risk_edit", args=[risk.pk])).content.decode()
    assert 'type="checkbox" name="ai_systems"' not in html
    select, shown = options(html, "ai_systems")
    assert shown == [str(few[0].pk)] and "multiple" in select
    assert f'data-picker-url="/pick/risks.risk/ai_systems/?pk={risk.pk}"' in select
    found = pick(client, "risks.risk", "ai_systems", q=few[1].reference).json()["results"]
    assert [r["value"] for r in found] == [str(few[1].pk)]


def test_the_activity_log_searches_its_people(client, compliance_officer, make_user):
    UserFactory.create_batch(pickers.REMOTE_FROM, last_name="Colleague")
    client.force_login(compliance_officer)
    html = client.get(reverse("core:activity")).content.decode()
    select, shown = options(html, "user")
    assert shown == [] and 'data-picker-url="/pick/form/activity/user/"' in select
    response = client.get(reverse("core:pick_form", args=["activity", "user"]), {"q": "colleague"})
    assert len(response.json()["results"]) == pickers.PAGE_SIZE
    client.force_login(make_user("no_role"))  # may not read the activity log
    response = client.get(reverse("core:pick_form", args=["activity", "user"]))
    assert response.status_code == 404


def test_a_form_search_never_offers_another_owners_evidence(client, system_owner):
    mine = EvidenceFactory(uploaded_by=system_owner, title="Bias test report")
    EvidenceFactory(title="Bias test report of another owner")
    client.force_login(system_owner)
    url = reverse("core:pick_form", args=["condition-met", "evidence"])
    results = client.get(url, {"q": "bias"}).json()["results"]
    assert [r["value"] for r in results] == [str(mine.pk)]
