"""Scoring risks: levels from the active criteria's matrix, versioned criteria that never rewrite
earlier assessments, the criteria form's scales and matrix, and the risk form's scores."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from aims.core import roles
from aims.core.registry import registry
from risks import services
from risks.demo import five_by_five
from risks.models import Risk, RiskCriteria
from tests.conftest import form_payload, new_object_payload
from tests.decisions import decide_url, decision_payload
from tests.factories import RiskCriteriaFactory, RiskFactory, UserFactory, active_criteria
from tests.risks.helpers import criteria_with, edit_risk, risk_payload, scale

ALL_LOW = [["low"] * 5 for _ in range(5)]
CRITERIA = "risk-criteria"
ROLE_REFUSAL = "Only the compliance officer or an administrator activates risk criteria."


def new_version_all_low(user):
    """A second version of the active criteria whose every cell is "low", written by another
    compliance officer and activated by `user` (four-eyes)."""
    author = UserFactory(role=roles.COMPLIANCE_OFFICER)
    draft = services.risk_criteria_new_version(criteria=RiskCriteria.active(), user=author)
    draft = RiskCriteria.objects.get(pk=draft.pk)
    draft.matrix = ALL_LOW
    draft._history_user = author
    draft.save()
    return services.risk_criteria_activate(criteria=draft, user=user)


def criteria_form_payload(criteria, user, **changes):
    return {**form_payload(registry[RiskCriteria], criteria, user), **changes}


def blank_levels(axis, *positions):
    """Form values that leave the given rows of a scale empty."""
    values = {}
    for n in positions:
        values[f"{axis}_{n}_label"] = ""
        values[f"{axis}_{n}_description"] = ""
    return values


# Levels ----------------------------------------------------------------------------------------


def test_the_default_five_by_five_matrix_has_the_expected_corners(db):
    matrix = active_criteria().matrix
    assert matrix[0][0] == "low"
    assert matrix[4][4] == "critical"
    assert matrix[3][3] == "critical"  # likelihood 4, impact 4
    assert matrix[1][2] == "medium"  # likelihood 2, impact 3


def test_a_risk_gets_its_levels_from_the_active_criteria_matrix(db):
    risk = RiskFactory(
        inherent_likelihood=4, inherent_impact=4, residual_likelihood=2, residual_impact=3
    )
    matrix = RiskCriteria.active().matrix
    assert risk.criteria == RiskCriteria.active()
    assert (risk.inherent_level, risk.residual_level) == (matrix[3][3], matrix[1][2])
    assert (risk.inherent_level, risk.residual_level) == ("critical", "medium")


def test_the_matrix_decides_not_the_product_of_the_scores(db):
    # A deliberately odd matrix: the level is read from the cell, not computed.
    criteria_with(
        [
            ["critical", "low", "low"],
            ["low", "high", "low"],
            ["low", "low", "medium"],
        ],
        status=RiskCriteria.Status.ACTIVE,
    )
    risk = RiskFactory(
        inherent_likelihood=1, inherent_impact=1, residual_likelihood=3, residual_impact=3
    )
    assert (risk.inherent_level, risk.residual_level) == ("critical", "medium")


def test_a_risk_without_scores_has_no_level_and_half_a_score_gives_none(db):
    active_criteria()
    risk = RiskFactory(
        inherent_likelihood=None,
        inherent_impact=None,
        residual_likelihood=3,
        residual_impact=None,
    )
    assert (risk.inherent_level, risk.residual_level) == ("", "")


def test_a_risk_scored_before_any_criteria_exist_has_no_level(db):
    risk = RiskFactory(criteria=None)
    assert risk.criteria is None
    assert (risk.inherent_level, risk.residual_level) == ("", "")


# Criteria versions -----------------------------------------------------------------------------


def test_a_new_criteria_version_does_not_rewrite_earlier_assessments(compliance_officer):
    v1 = active_criteria()
    risk = RiskFactory(inherent_likelihood=4, inherent_impact=4)
    assert risk.inherent_level == "critical"

    v2 = new_version_all_low(compliance_officer)

    risk.refresh_from_db()
    v1.refresh_from_db()
    assert risk.criteria == v1
    assert (risk.inherent_level, risk.residual_level) == ("critical", "medium")
    assert v1.status == "retired"
    assert (v2.status, v2.number, v2.activated_by) == ("active", v1.number + 1, compliance_officer)
    assert v2.matrix == ALL_LOW
    assert v1.matrix[3][3] == "critical"  # the draft was a copy


def test_new_risks_are_scored_under_the_new_version(compliance_officer):
    active_criteria()
    v2 = new_version_all_low(compliance_officer)
    risk = RiskFactory(criteria=None, inherent_likelihood=5, inherent_impact=5)
    assert risk.criteria == v2
    assert risk.inherent_level == "low"


def test_only_one_criteria_version_is_active_at_a_time(compliance_officer):
    active_criteria()
    new_version_all_low(compliance_officer)
    new_version_all_low(compliance_officer)
    statuses = list(RiskCriteria.objects.order_by("number").values_list("status", flat=True))
    assert statuses == ["retired", "retired", "active"]
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskCriteriaFactory(status=RiskCriteria.Status.ACTIVE)


def test_whoever_writes_a_criteria_draft_cannot_activate_it(compliance_officer):
    active_criteria()
    draft = services.risk_criteria_new_version(
        criteria=RiskCriteria.active(), user=UserFactory(role=roles.COMPLIANCE_OFFICER)
    )
    draft = RiskCriteria.objects.get(pk=draft.pk)
    draft.matrix = ALL_LOW
    draft._history_user = compliance_officer
    draft.save()
    with pytest.raises(ValidationError, match="someone else must decide on it"):
        services.risk_criteria_activate(criteria=draft, user=compliance_officer)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_change_saved_on_the_draft_the_new_version_returned_makes_its_writer_an_author(
    compliance_officer,
):
    active_criteria()
    draft = services.risk_criteria_new_version(
        criteria=RiskCriteria.active(), user=UserFactory(role=roles.COMPLIANCE_OFFICER)
    )
    draft.matrix = ALL_LOW  # changed and saved on the object the service returned
    draft._history_user = compliance_officer
    draft.save()
    assert draft.history.first().history_change_reason is None
    with pytest.raises(ValidationError, match="someone else must decide on it"):
        services.risk_criteria_activate(criteria=draft, user=compliance_officer)


def test_only_a_draft_can_be_activated(compliance_officer):
    v1 = active_criteria()
    with pytest.raises(ValidationError, match="Only a draft"):
        services.risk_criteria_activate(criteria=v1, user=compliance_officer)


def test_a_new_version_of_a_draft_is_refused(compliance_officer):
    draft = RiskCriteriaFactory()
    with pytest.raises(ValidationError, match="still a draft"):
        services.risk_criteria_new_version(criteria=draft, user=compliance_officer)


def test_a_stored_seven_level_scale_cannot_be_activated(compliance_officer):
    levels = [f"L{n}" for n in range(1, 8)]
    draft = criteria_with([["low"] * 5 for _ in levels], likelihood_scale=scale(*levels))
    with pytest.raises(ValidationError, match="3 to 6 levels"):
        services.risk_criteria_activate(criteria=draft, user=compliance_officer)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_criteria_whose_matrix_does_not_fit_the_scales_cannot_be_activated(compliance_officer):
    draft = RiskCriteriaFactory(matrix=[["low"] * 5 for _ in range(4)])
    with pytest.raises(ValidationError):
        services.risk_criteria_activate(criteria=draft, user=compliance_officer)


def test_the_activate_button_activates_a_draft_and_retires_the_active_one(
    client, compliance_officer
):
    v1 = active_criteria()
    draft = RiskCriteriaFactory()
    client.force_login(compliance_officer)
    assert decide_url(CRITERIA, draft) in client.get(draft.get_absolute_url()).content.decode()
    response = client.post(
        decide_url(CRITERIA, draft), decision_payload(CRITERIA, draft), follow=True
    )
    assert response.redirect_chain == [(draft.get_absolute_url(), 302)]
    assert "Decision recorded." in response.content.decode()
    v1.refresh_from_db()
    draft.refresh_from_db()
    assert (v1.status, draft.status) == ("retired", "active")


def test_editing_a_risk_reassesses_it_under_the_active_criteria(client, compliance_officer):
    v1 = active_criteria()
    risk = RiskFactory(inherent_likelihood=4, inherent_impact=4)
    v2 = new_version_all_low(compliance_officer)
    client.force_login(compliance_officer)
    detail = client.get(risk.get_absolute_url()).content.decode()
    assert "Scored under earlier risk criteria" in detail

    response = edit_risk(client, risk, compliance_officer)

    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.criteria == v2 != v1
    assert (risk.inherent_level, risk.residual_level) == ("low", "low")
    assert (risk.inherent_likelihood, risk.inherent_impact) == (4, 4)


# The criteria form -----------------------------------------------------------------------------


def post_criteria(client, criteria, user, **changes):
    return client.post(
        reverse("risks:riskcriteria_edit", args=[criteria.pk]),
        criteria_form_payload(criteria, user, **changes),
    )


def test_the_criteria_form_saves_a_draft_unchanged(client, compliance_officer):
    draft = RiskCriteriaFactory()
    client.force_login(compliance_officer)
    response = post_criteria(client, draft, compliance_officer, name="Revised")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "Revised"
    assert len(draft.likelihood_scale) == len(draft.impact_scale) == 5
    assert draft.matrix == five_by_five()["matrix"]


@pytest.mark.parametrize("axis", ["likelihood", "impact"])
def test_a_scale_of_two_levels_is_refused_at_the_field(client, compliance_officer, axis):
    draft = RiskCriteriaFactory()
    client.force_login(compliance_officer)
    response = post_criteria(client, draft, compliance_officer, **blank_levels(axis, 3, 4, 5))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors[f"{axis}_1_label"] == [f"The {axis} scale needs 3 to 6 levels."]
    assert f'id="id_{axis}_1_label_error"' in response.content.decode()
    draft.refresh_from_db()
    assert len(getattr(draft, f"{axis}_scale")) == 5


def test_a_seventh_level_has_no_field_and_is_never_stored(client, compliance_officer):
    draft = RiskCriteriaFactory()
    client.force_login(compliance_officer)
    response = post_criteria(
        client,
        draft,
        compliance_officer,
        likelihood_6_label="Daily",
        likelihood_7_label="Hourly",
        **{f"cell_6_{n}": "critical" for n in range(1, 6)},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert [level["label"] for level in draft.likelihood_scale][-1] == "Daily"
    assert len(draft.likelihood_scale) == len(draft.matrix) == 6


def test_a_gap_in_a_scale_is_refused_at_the_level_after_it(client, compliance_officer):
    draft = RiskCriteriaFactory()
    client.force_login(compliance_officer)
    response = post_criteria(client, draft, compliance_officer, **blank_levels("impact", 3))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["impact_4_label"] == ["Fill the levels from the top without gaps."]
    draft.refresh_from_db()
    assert [level["label"] for level in draft.impact_scale][2] == "Moderate"


def test_a_description_without_a_label_is_refused(client, compliance_officer):
    draft = RiskCriteriaFactory()
    client.force_login(compliance_officer)
    response = post_criteria(
        client, draft, compliance_officer, likelihood_6_description="More than daily"
    )
    assert response.context["form"].errors["likelihood_6_label"] == ["Give this level a label."]


def test_two_levels_with_the_same_label_are_refused(client, compliance_officer):
    draft = RiskCriteriaFactory()
    client.force_login(compliance_officer)
    response = post_criteria(client, draft, compliance_officer, impact_2_label="negligible")
    assert response.context["form"].errors["impact_1_label"] == ["Each level needs its own label."]


def test_a_three_by_four_scale_saves_with_the_matrix_trimmed(client, compliance_officer):
    draft = RiskCriteriaFactory()
    client.force_login(compliance_officer)
    cells = {f"cell_{lk}_{im}": "critical" for lk in range(1, 7) for im in range(1, 7)}
    inside = {
        (1, 1): "low", (1, 2): "low", (1, 3): "medium", (1, 4): "medium",
        (2, 1): "low", (2, 2): "medium", (2, 3): "high", (2, 4): "high",
        (3, 1): "medium", (3, 2): "high", (3, 3): "high", (3, 4): "critical",
    }  # fmt: skip
    cells.update({f"cell_{lk}_{im}": level for (lk, im), level in inside.items()})
    response = post_criteria(
        client,
        draft,
        compliance_officer,
        **blank_levels("likelihood", 4, 5),
        **blank_levels("impact", 5),
        **cells,
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert [level["label"] for level in draft.likelihood_scale] == ["Rare", "Unlikely", "Possible"]
    assert len(draft.impact_scale) == 4
    assert draft.matrix == [
        ["low", "low", "medium", "medium"],
        ["low", "medium", "high", "high"],
        ["medium", "high", "high", "critical"],
    ]
    # It is complete: someone who did not write it activates it.
    services.risk_criteria_activate(criteria=draft, user=UserFactory(role=roles.COMPLIANCE_OFFICER))


def test_a_new_criteria_draft_is_created_through_the_form(client, compliance_officer):
    client.force_login(compliance_officer)
    add = reverse("risks:riskcriteria_add")
    form = client.get(add).context["form"]
    payload = {name: form[name].value() or "" for name in form.fields}
    payload.update(name="Three by three", acceptance_threshold="high")
    payload.update({f"likelihood_{n}_label": label for n, label in enumerate("ABC", start=1)})
    payload.update({f"impact_{n}_label": label for n, label in enumerate("XYZ", start=1)})
    response = client.post(add, payload)
    assert response.status_code == 302
    created = RiskCriteria.objects.get()
    assert (created.status, created.number) == ("draft", 1)
    assert len(created.matrix) == 3 and all(len(row) == 3 for row in created.matrix)


def test_active_criteria_cannot_be_edited(client, compliance_officer):
    active = active_criteria()
    client.force_login(compliance_officer)
    edit = reverse("risks:riskcriteria_edit", args=[active.pk])
    response = client.get(edit, follow=True)
    assert response.redirect_chain == [(active.get_absolute_url(), 302)]
    assert "Only a draft can be changed or deleted" in response.content.decode()
    assert edit not in response.content.decode()


def test_a_crafted_post_to_active_criteria_changes_nothing(client, compliance_officer):
    active = active_criteria()
    payload = criteria_form_payload(
        active, compliance_officer, name="Hijacked", **{"cell_1_1": "critical"}
    )
    client.force_login(compliance_officer)
    response = client.post(reverse("risks:riskcriteria_edit", args=[active.pk]), payload)
    assert response.status_code == 302
    active.refresh_from_db()
    assert active.name != "Hijacked"
    assert active.matrix[0][0] == "low"
    assert active.version == 1


def test_retired_criteria_cannot_be_edited_or_deleted(client, compliance_officer):
    v1 = active_criteria()
    new_version_all_low(compliance_officer)
    client.force_login(compliance_officer)
    assert client.get(reverse("risks:riskcriteria_edit", args=[v1.pk])).status_code == 302
    client.post(reverse("risks:riskcriteria_delete", args=[v1.pk]))
    assert RiskCriteria.objects.filter(pk=v1.pk).exists()


def test_a_new_version_starts_as_a_draft_copy_in_the_edit_form(client, compliance_officer):
    active = active_criteria()
    client.force_login(compliance_officer)
    response = client.post(reverse("risks:criteria_new_version", args=[active.pk]))
    draft = RiskCriteria.objects.get(status="draft")
    assert response["Location"] == reverse("risks:riskcriteria_edit", args=[draft.pk])
    assert (draft.matrix, draft.likelihood_scale) == (active.matrix, active.likelihood_scale)


def test_an_auditor_cannot_start_or_activate_criteria(client, auditor):
    active = active_criteria()
    draft = RiskCriteriaFactory()
    client.force_login(auditor)
    assert client.post(reverse("risks:criteria_new_version", args=[active.pk])).status_code == 403
    response = client.post(decide_url(CRITERIA, draft), decision_payload(CRITERIA, draft))
    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()
    assert ROLE_REFUSAL in [str(m) for m in get_messages(response.wsgi_request)]
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert RiskCriteria.objects.count() == 2


# The risk form ---------------------------------------------------------------------------------


def new_risk_payload(user, **changes):
    return {**new_object_payload(registry[Risk], user), **changes}


def test_a_risk_is_added_through_the_form_and_scored(client, compliance_officer):
    active_criteria()
    client.force_login(compliance_officer)
    payload = new_risk_payload(compliance_officer, title="Prompt injection via e-mail")
    response = client.post(reverse("risks:risk_add"), payload)
    assert response.status_code == 302
    risk = Risk.objects.get(title="Prompt injection via e-mail")
    assert (risk.inherent_level, risk.residual_level) == ("critical", "medium")
    assert risk.criteria == RiskCriteria.active()


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({"inherent_impact": ""}, "inherent_impact"),
        ({"inherent_likelihood": ""}, "inherent_likelihood"),
        ({"residual_impact": ""}, "residual_impact"),
    ],
)
def test_a_likelihood_without_impact_is_refused_at_the_field(
    client, compliance_officer, given, missing
):
    active_criteria()
    client.force_login(compliance_officer)
    response = client.post(reverse("risks:risk_add"), new_risk_payload(compliance_officer, **given))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors[missing] == ["Give likelihood and impact together, or neither."]
    assert f'id="id_{missing}_error"' in response.content.decode()
    assert not Risk.objects.exists()


@pytest.mark.parametrize("score", ["6", "0", "-1", "x"])
def test_a_score_outside_the_active_scale_is_refused(client, compliance_officer, score):
    active_criteria()
    client.force_login(compliance_officer)
    response = client.post(
        reverse("risks:risk_add"), new_risk_payload(compliance_officer, inherent_likelihood=score)
    )
    assert response.status_code == 200
    assert "inherent_likelihood" in response.context["form"].errors
    assert not Risk.objects.exists()


def test_a_score_valid_on_an_earlier_larger_scale_is_refused_on_a_smaller_active_one(
    client, compliance_officer
):
    active_criteria()
    risk = RiskFactory(inherent_likelihood=5, inherent_impact=5)
    draft = criteria_with([["low", "medium", "high"]] * 3)
    services.risk_criteria_activate(criteria=draft, user=compliance_officer)
    client.force_login(compliance_officer)
    response = edit_risk(client, risk, compliance_officer)
    assert response.status_code == 200
    assert {"inherent_likelihood", "inherent_impact"} <= set(response.context["form"].errors)
    risk.refresh_from_db()
    assert risk.inherent_level == "critical"


def test_html_in_a_risk_title_is_stored_as_text_and_shown_escaped(client, compliance_officer):
    active_criteria()
    title = '<img src=x onerror="alert(1)"><b>Injection</b>'
    client.force_login(compliance_officer)
    response = client.post(
        reverse("risks:risk_add"), new_risk_payload(compliance_officer, title=title)
    )
    assert response.status_code == 302
    risk = Risk.objects.get()
    assert risk.title == title
    detail = client.get(risk.get_absolute_url()).content.decode()
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;b&gt;Injection&lt;/b&gt;" in detail
    assert "<img src=x" not in detail
    assert "<b>Injection" not in detail


def test_the_status_accepted_is_not_offered_in_the_form(client, compliance_officer):
    risk = RiskFactory()
    client.force_login(compliance_officer)
    response = edit_risk(client, risk, compliance_officer, status="accepted")
    assert "status" in response.context["form"].errors
    risk.refresh_from_db()
    assert risk.status == "identified"


def test_the_form_offers_the_active_scales_labels(client, compliance_officer):
    risk = RiskFactory()
    client.force_login(compliance_officer)
    form = client.get(reverse("risks:risk_edit", args=[risk.pk])).context["form"]
    choices = form.fields["inherent_impact"].choices
    assert choices[0] == ("", "—")
    assert choices[-1] == (5, "5 – Severe")
    assert risk_payload(risk, compliance_officer)["inherent_impact"] == 4
