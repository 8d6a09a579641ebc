"""Bulk edit through the register machinery: the same form rules, save service, history and
permission layer as a single edit, for many selected entries at once, all saved or none."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aims.core.forms import BulkEditForm
from aims.core.registry import registry
from aims.impact.models import ImpactAssessment
from aims.inventory.models import AISystem
from controls.models import SoAEntry
from risks.models import Risk
from tests.conftest import REGISTERS
from tests.factories import AISystemFactory, ImpactAssessmentFactory, RiskFactory, UserFactory

SOA_LIST = reverse("controls:soaentry_list")
SOA_BULK = reverse("controls:soaentry_bulk_edit")
RISK_BULK = reverse("risks:risk_bulk_edit")
SYSTEM_BULK = reverse("inventory:aisystem_bulk_edit")
NEXT_REVIEW = date(2027, 3, 31)
SCRIPT = '<script>alert("x")</script>'


def entries(*codes):
    """Organization-wide SoA entries of these Annex A controls, in the given order."""
    found = SoAEntry.objects.filter(control__code__in=codes, ai_system=None)
    by_code = {entry.control.code: entry for entry in found.select_related("control")}
    return [by_code[code] for code in codes]


def selection(objects):
    """What the bulk page posts back: the selected ids with the versions the user saw."""
    payload = {"pk": [str(obj.pk) for obj in objects]}
    payload.update({f"version_{obj.pk}": str(obj.version) for obj in objects})
    return payload


def bulk_values(**values):
    """Every bulk field of the SoA left unchanged except these."""
    return {
        "applicable": "",
        "inclusion_justification": "",
        "exclusion_justification": "",
        "owner": "",
        "status": "",
        "next_review": "",
        **values,
    }


@pytest.fixture
def officer_client(client, compliance_officer):
    client.force_login(compliance_officer)
    return client


# The whole journey ---------------------------------------------------------------------------


def test_the_bulk_page_lists_the_selected_entries_and_leaves_every_field_unchanged(
    officer_client,
):
    selected = entries("A.2.2", "A.6.2.4")
    response = officer_client.get(SOA_BULK, {"pk": [e.pk for e in selected]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 entries selected." in page
    assert "A.2.2" in page and "A.6.2.4" in page
    assert 'name="status"' in page
    assert '<option value="" selected>Leave unchanged</option>' in page
    assert 'name="owner__clear"' in page


def test_a_checked_bulk_edit_is_confirmed_before_anything_is_saved(
    officer_client, compliance_officer
):
    selected = entries("A.2.2", "A.2.3", "A.6.2.4")
    owner = UserFactory(username="anna", first_name="Anna", last_name="Berg")
    payload = {
        **selection(selected),
        **bulk_values(owner=owner.pk, next_review="2027-03-31"),
        "step": "check",
    }
    response = officer_client.post(SOA_BULK, payload)
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 of 3 selected entries will change:" in page
    assert "Anna Berg" in page
    assert "Apply to 3 entries" in page
    assert all(SoAEntry.objects.get(pk=e.pk).version == e.version for e in selected)

    response = officer_client.post(SOA_BULK, {**payload, "step": "apply"})
    assert response.status_code == 302
    assert response["Location"] == SOA_LIST
    for entry in selected:
        stored = SoAEntry.objects.get(pk=entry.pk)
        assert (stored.owner, stored.next_review) == (owner, NEXT_REVIEW)
        assert stored.version == entry.version + 1
        assert stored.history.first().history_user == compliance_officer
    listed = officer_client.get(SOA_LIST).content.decode()
    assert "Changed 3 of 3 selected entries." in listed


def test_entries_outside_the_selection_do_not_change(officer_client):
    selected, other = entries("A.2.2"), entries("A.2.3")[0]
    payload = {**selection(selected), **bulk_values(status="planned"), "step": "apply"}
    assert officer_client.post(SOA_BULK, payload).status_code == 302
    other.refresh_from_db()
    assert other.status == "not_started"
    assert other.version == 1


def test_an_entry_that_has_the_values_already_is_not_saved_again(officer_client):
    done, todo = entries("A.2.2", "A.2.3")
    done.status = "planned"
    done.save()
    payload = {**selection([done, todo]), **bulk_values(status="planned"), "step": "check"}
    page = officer_client.post(SOA_BULK, payload).content.decode()
    assert "1 of 2 selected entries will change:" in page
    assert officer_client.post(SOA_BULK, {**payload, "step": "apply"}).status_code == 302
    done.refresh_from_db()
    todo.refresh_from_db()
    assert (done.version, todo.version, todo.status) == (2, 2, "planned")


def test_back_from_the_confirmation_keeps_the_values(officer_client):
    selected = entries("A.2.2")
    payload = {
        **selection(selected),
        **bulk_values(inclusion_justification="Required by our AI policy."),
        "step": "edit",
    }
    response = officer_client.post(SOA_BULK, payload)
    assert response.status_code == 200
    assert "Required by our AI policy.</textarea>" in response.content.decode()
    assert "Check the changes" in response.content.decode()


def test_a_field_is_cleared_on_every_selected_entry(officer_client, compliance_officer):
    selected = entries("A.2.2", "A.2.3")
    for entry in selected:
        entry.owner = compliance_officer
        entry.save()
    selected = entries("A.2.2", "A.2.3")
    payload = {**selection(selected), **bulk_values(owner__clear="on"), "step": "apply"}
    assert officer_client.post(SOA_BULK, payload).status_code == 302
    assert [SoAEntry.objects.get(pk=e.pk).owner for e in selected] == [None, None]


# The rules of a single edit apply to each entry ------------------------------------------------


def test_an_exclusion_without_justification_refuses_the_whole_bulk_edit(officer_client):
    justified, unjustified = entries("A.2.2", "A.2.3")
    justified.exclusion_justification = "No AI policy topics beyond the group policy."
    justified.save()
    payload = {**selection([justified, unjustified]), **bulk_values(applicable="no")}
    response = officer_client.post(SOA_BULK, {**payload, "step": "apply"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was saved. These entries refuse the change:" in page
    assert "Say why the control is excluded: an exclusion needs a justification." in page
    assert "A.2.3 (organization-wide)" in page
    assert "1 selected entry refuses this value; see the list below." in page
    assert '<option value="no" selected>No</option>' in page  # the user's value stays
    # All or none: the entry that would have been valid is unchanged too.
    justified.refresh_from_db()
    unjustified.refresh_from_db()
    assert (justified.applicable, justified.version) == (True, 2)
    assert (unjustified.applicable, unjustified.version) == (True, 1)


def test_an_exclusion_with_its_justification_is_saved_for_all(officer_client):
    selected = entries("A.2.2", "A.2.3")
    reason = "Covered by the group's AI policy."
    payload = {
        **selection(selected),
        **bulk_values(applicable="no", exclusion_justification=reason),
        "step": "apply",
    }
    assert officer_client.post(SOA_BULK, payload).status_code == 302
    for entry in selected:
        entry.refresh_from_db()
        assert (entry.applicable, entry.exclusion_justification) == (False, reason)


def test_an_entry_changed_after_the_selection_refuses_the_bulk_edit(officer_client, make_user):
    first, second = entries("A.2.2", "A.2.3")
    payload = {**selection([first, second]), **bulk_values(status="planned"), "step": "apply"}
    # Someone else saves the second entry while the page is open.
    second.inclusion_justification = "Changed by someone else."
    second._history_user = make_user("administrator")
    second.save()
    response = officer_client.post(SOA_BULK, payload)
    assert response.status_code == 200
    assert "Someone else saved this entry after you selected it." in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.version) == ("not_started", 1)
    assert (second.status, second.version) == ("not_started", 2)
    # The page now carries the current version: confirming again applies the change.
    assert f'name="version_{second.pk}" value="2"' in response.content.decode()


def test_a_locked_entry_refuses_the_bulk_edit_with_its_reason(officer_client, make_user):
    draft = ImpactAssessmentFactory()
    submitted = ImpactAssessmentFactory(status=ImpactAssessment.Status.SUBMITTED)
    owner = make_user("ai_officer")
    payload = {
        **selection([draft, submitted]),
        "owner": owner.pk,
        "review_interval_months": "",
        "step": "check",
    }
    response = officer_client.post(reverse("impact:impactassessment_bulk_edit"), payload)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was saved. These entries refuse the change:" in page
    assert "The assessment awaits the AI officer&#x27;s decision and cannot be changed." in page
    draft.refresh_from_db()
    assert (draft.owner, draft.version) == (None, 1)


def test_overlong_and_script_values_are_refused_or_escaped(officer_client):
    selected = entries("A.2.2")
    overlong = {**selection(selected), **bulk_values(inclusion_justification="x" * 10_001)}
    response = officer_client.post(SOA_BULK, {**overlong, "step": "apply"})
    assert response.status_code == 200
    assert "Ensure this value has at most 10000 characters" in response.content.decode()
    assert SoAEntry.objects.get(pk=selected[0].pk).version == 1

    script = {**selection(selected), **bulk_values(inclusion_justification=SCRIPT)}
    page = officer_client.post(SOA_BULK, {**script, "step": "check"}).content.decode()
    assert "1 of 1 selected entries will change:" in page
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_an_unknown_choice_is_an_error_at_the_field(officer_client):
    selected = entries("A.2.2")
    payload = {**selection(selected), **bulk_values(status="finished"), "step": "apply"}
    response = officer_client.post(SOA_BULK, payload)
    assert response.status_code == 200
    assert "Select a valid choice. finished is not one of the available choices." in (
        response.content.decode()
    )
    assert SoAEntry.objects.get(pk=selected[0].pk).version == 1


def test_a_value_and_clear_together_are_refused(officer_client):
    selected = entries("A.2.2")
    payload = {
        **selection(selected),
        **bulk_values(next_review="2027-03-31", next_review__clear="on"),
        "step": "apply",
    }
    response = officer_client.post(SOA_BULK, payload)
    assert "Either enter a value or clear the field, not both." in response.content.decode()
    assert SoAEntry.objects.get(pk=selected[0].pk).version == 1


def test_no_value_at_all_is_refused(officer_client):
    payload = {**selection(entries("A.2.2")), **bulk_values(), "step": "check"}
    response = officer_client.post(SOA_BULK, payload)
    assert response.status_code == 200
    assert "Enter at least one value to set, or clear a field." in response.content.decode()


def test_unknown_fields_are_ignored(officer_client):
    selected = entries("A.2.2")
    payload = {
        **selection(selected),
        **bulk_values(status="planned"),
        "control": "999",
        "ai_system": "1",
        "step": "apply",
    }
    assert officer_client.post(SOA_BULK, payload).status_code == 302
    selected[0].refresh_from_db()
    assert (selected[0].control.code, selected[0].ai_system) == ("A.2.2", None)


def test_an_empty_selection_goes_back_to_the_list_with_a_message(officer_client):
    response = officer_client.get(SOA_BULK, follow=True)
    assert response.redirect_chain == [(SOA_LIST, 302)]
    assert "Select the entries to change first." in response.content.decode()


@pytest.mark.parametrize("bad", ["abc", "1.5", "-3", "١", "99999999999999999999999"])
def test_a_malformed_or_unknown_id_answers_404(officer_client, bad):
    selected = entries("A.2.2")
    assert officer_client.get(SOA_BULK, {"pk": [selected[0].pk, bad]}).status_code == 404
    payload = {**selection(selected), **bulk_values(status="planned"), "step": "apply"}
    payload["pk"] = [*payload["pk"], bad]
    assert officer_client.post(SOA_BULK, payload).status_code == 404
    assert SoAEntry.objects.get(pk=selected[0].pk).version == 1


def test_a_missing_version_asks_to_reload(officer_client):
    selected = entries("A.2.2")
    payload = {**selection(selected), **bulk_values(status="planned"), "step": "apply"}
    del payload[f"version_{selected[0].pk}"]
    response = officer_client.post(SOA_BULK, payload)
    assert "The form is incomplete; reload the page." in response.content.decode()
    assert SoAEntry.objects.get(pk=selected[0].pk).version == 1


# The permission layer --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["auditor", "ai_officer", "system_owner", "no_role"])
def test_who_may_not_change_the_soa_is_refused_and_nothing_changes(client, make_user, persona):
    client.force_login(make_user(persona))
    selected = entries("A.2.2", "A.2.3")
    assert client.get(SOA_BULK, {"pk": [e.pk for e in selected]}).status_code == 403
    payload = {**selection(selected), **bulk_values(status="implemented"), "step": "apply"}
    assert client.post(SOA_BULK, payload).status_code == 403
    assert [SoAEntry.objects.get(pk=e.pk).version for e in selected] == [1, 1]


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(SOA_BULK, {"pk": entries("A.2.2")[0].pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_auditor_sees_no_selection_and_no_bulk_button(client, auditor):
    client.force_login(auditor)
    response = client.get(SOA_LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "A.2.2" in page
    assert 'form="bulk-edit-form"' not in page
    assert SOA_BULK not in page


def test_the_compliance_officer_sees_a_checkbox_per_row_and_the_bulk_button(officer_client):
    page = officer_client.get(SOA_LIST).content.decode()
    entry = entries("A.2.2")[0]
    assert f'name="pk" value="{entry.pk}" form="bulk-edit-form"' in page
    assert 'aria-label="Select A.2.2 (organization-wide)"' in page
    assert 'data-select-all="pk" aria-label="Select all entries on this page"' in page
    assert f'action="{SOA_BULK}"' in page


def test_the_filtered_table_keeps_its_checkboxes_and_bulk_button(officer_client):
    response = officer_client.get(
        SOA_LIST, {"q": "A.2.2"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="register-table"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page  # the part HTMX swaps in, not the whole page
    assert f'name="pk" value="{entries("A.2.2")[0].pk}" form="bulk-edit-form"' in page
    assert '<form id="bulk-edit-form"' in page


def test_a_system_owners_bulk_edit_changes_only_their_own_risks(client, system_owner):
    own = RiskFactory(owner=system_owner)
    also_own = RiskFactory(owner=system_owner)
    foreign = RiskFactory(owner=UserFactory(role="System Owner"))
    client.force_login(system_owner)

    listed = client.get(reverse("risks:risk_list"))
    assert listed.status_code == 200
    page = listed.content.decode()
    assert f'name="pk" value="{own.pk}"' in page
    assert foreign.reference in page  # seen (read access) …
    assert f'name="pk" value="{foreign.pk}"' not in page  # … but not selectable

    values = {"treatment_option": "", "status": "", "review_cadence_months": ""}
    values["next_review"] = "2027-03-31"
    payload = {**selection([own, also_own, foreign]), **values, "step": "apply"}
    before = [r.next_review for r in (own, also_own, foreign)]
    # Seen but not theirs to change: 403, naming who may.
    assert client.post(RISK_BULK, payload).status_code == 403
    assert [Risk.objects.get(pk=r.pk).next_review for r in (own, also_own, foreign)] == before

    payload = {**selection([own, also_own]), **values, "step": "apply"}
    assert client.post(RISK_BULK, payload).status_code == 302
    assert [Risk.objects.get(pk=r.pk).next_review for r in (own, also_own, foreign)] == [
        NEXT_REVIEW,
        NEXT_REVIEW,
        before[2],
    ]


def test_an_owner_cannot_hand_their_entries_to_someone_else_in_bulk(client, system_owner):
    system = AISystemFactory(owner=system_owner)
    successor = UserFactory(role="System Owner")
    client.force_login(system_owner)
    page = client.get(SYSTEM_BULK, {"pk": system.pk})
    assert page.status_code == 200
    assert 'name="owner"' not in page.content.decode()
    payload = {**selection([system]), "owner": successor.pk, "in_scope": "no", "step": "apply"}
    assert client.post(SYSTEM_BULK, payload).status_code == 302
    system.refresh_from_db()
    assert (system.owner, system.in_scope) == (system_owner, False)


def test_a_system_owner_with_nothing_to_change_is_refused(client, system_owner):
    risk = RiskFactory(owner=UserFactory(role="System Owner"))
    client.force_login(system_owner)
    assert client.get(RISK_BULK, {"pk": risk.pk}).status_code == 403


# The machinery --------------------------------------------------------------------------------


def test_every_declared_bulk_field_is_a_single_value_field_of_the_form(make_user):
    officer = make_user("compliance_officer")
    declared = [r for r in REGISTERS if r.bulk_fields]
    assert {r.model_name for r in declared} >= {"soaentry", "risk", "aisystem", "evidence"}
    for register in declared:
        form = BulkEditForm(register_form=register.form(user=officer), fields=register.bulk_fields)
        assert list(dict(form.source_fields)) == list(register.bulk_fields), register


def test_registers_without_bulk_fields_have_no_bulk_page():
    assert "bulk_edit" in registry[SoAEntry].urls()
    assert not any(
        "bulk_edit" in r.urls() for r in REGISTERS if not r.bulk_fields or r.form is None
    )


def test_the_bulk_page_costs_the_same_queries_for_one_and_for_twenty_entries(officer_client):
    all_entries = list(SoAEntry.objects.filter(ai_system=None)[:20])

    def queries(selected):
        with CaptureQueriesContext(connection) as captured:
            response = officer_client.get(SOA_BULK, {"pk": [e.pk for e in selected]})
        assert response.status_code == 200
        return len(captured)

    assert queries(all_entries[:1]) == queries(all_entries)


# The SoA as one page under its objectives -----------------------------------------------------


def test_the_soa_list_shows_the_catalogue_under_its_objectives(officer_client, settings):
    # A page large enough for the whole catalogue; tests/controls/test_soa.py pages it.
    settings.REGISTER_PAGE_SIZE = 50
    system = AISystemFactory(reference="AI-007")
    override = SoAEntry.objects.create(
        control=entries("A.6.2.4")[0].control,
        ai_system=system,
        applicable=False,
        exclusion_justification="Verified by the supplier.",
    )
    response = officer_client.get(SOA_LIST)
    assert response.status_code == 200
    page = response.content.decode()
    organization_wide = SoAEntry.objects.filter(ai_system=None).count()
    assert organization_wide == 38
    assert f"{organization_wide + 1} entries" in page
    headings = [
        "A.2 Policies related to AI",
        "A.3 Internal organization",
        "A.4 Resources for AI systems",
        "A.5 Assessing impacts of AI systems",
        "A.6 AI system life cycle",
        "A.7 Data for AI systems",
        "A.8 Information for interested parties of AI systems",
        "A.9 Use of AI systems",
        "A.10 Third-party and customer relationships",
    ]
    positions = [page.find(f'scope="colgroup">{heading}</th>') for heading in headings]
    assert -1 not in positions, headings[positions.index(-1)]
    assert positions == sorted(positions)
    # Catalogue order inside an objective, the override right under its control.
    order = [
        page.find(f'value="{entries(code)[0].pk}"') for code in ("A.6.2.3", "A.6.2.4", "A.6.2.5")
    ]
    override_at = page.find(f'value="{override.pk}"')
    assert order[0] < order[1] < override_at < order[2]
    assert positions[3] < order[0] < positions[5]


def test_sorting_by_a_column_drops_the_objective_headings(officer_client):
    response = officer_client.get(SOA_LIST, {"sort": "status"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "A.2.2" in page
    assert 'scope="colgroup"' not in page


def test_an_ai_system_list_keeps_its_pages(officer_client, settings):
    settings.REGISTER_PAGE_SIZE = 2
    AISystemFactory.create_batch(3)
    response = officer_client.get(reverse("inventory:aisystem_list"))
    assert response.status_code == 200
    assert 'class="pagination' in response.content.decode()
    assert AISystem.objects.count() == 3
