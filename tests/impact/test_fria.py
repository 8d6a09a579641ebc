"""The fundamental rights impact assessment of EU AI Act Art. 27 in the impact assessment: the
classification's own Art. 27 result decides whether the FRIA part is shown and asked for at
submission; a new assessment starts from the AI system's record; the form is in headed sections."""

import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from aims.impact import services
from aims.impact.models import ImpactAssessment
from aims.inventory.classification import Answers
from aims.inventory.models import AutomationLevel
from aims.inventory.services import ai_system_classify
from tests.factories import AISystemFactory, DatasetFactory, ImpactAssessmentFactory

Status = ImpactAssessment.Status
POINTS = {
    "fria_processes": "(a) Describe the processes in which the system is used.",
    "fria_period": "(b) State the period and frequency of use.",
    "fria_affected_persons": "(c) Name the categories of persons and groups likely affected.",
    "fria_risks": "(d) Describe the specific risks of harm to these persons and groups.",
    "fria_oversight": "(e) Describe the human oversight measures.",
    "fria_measures": "(f) Describe the measures if the risks materialise, including internal "
    "governance and complaint mechanisms.",
}
FILLED = {
    "fria_processes": "Pricing of new private health insurance applications.",
    "fria_period": "Every application, all year, from go-live.",
    "fria_affected_persons": "Applicants for private health insurance.",
    "fria_risks": "Higher premiums for chronically ill applicants through proxies.",
    "fria_oversight": "An underwriter confirms every surcharge above 20 %.",
    "fria_measures": "Complaints desk; the pricing falls back to the tariff table on incidents.",
}
FRIA_HEADING = "Fundamental rights impact assessment (EU AI Act Art. 27)"
SECTIONS = [
    "The assessment",
    "Intended use and context",
    "Affected people",
    "Data, automation and human oversight",
    "Impacts and conclusion",
]

# One row per classification outcome: (answers, our EU AI Act roles, Art. 27 applies).
OUTCOMES = {
    "a public body": (
        Answers(annex_iii_area="essential_services", public_body=True),
        ["deployer"],
        True,
    ),
    "a private provider of a public service": (
        Answers(annex_iii_area="education", public_body=True),
        ["deployer"],
        True,
    ),
    "a credit-scoring deployer": (
        Answers(annex_iii_area="essential_services", credit_or_insurance=True, profiling=True),
        ["deployer"],
        True,
    ),
    "a life and health insurance pricing deployer": (
        Answers(annex_iii_area="essential_services", credit_or_insurance=True),
        ["provider", "deployer"],
        True,
    ),
    "a private employer's high-risk system": (
        Answers(annex_iii_area="employment", profiling=True),
        ["deployer"],
        False,
    ),
    "a private emergency triage system": (
        Answers(annex_iii_area="essential_services"),
        ["deployer"],
        False,
    ),
    "a public body's critical infrastructure": (
        Answers(annex_iii_area="critical_infrastructure", public_body=True),
        ["deployer"],
        False,
    ),
    "an Annex I product only": (Answers(annex_i_product=True), ["deployer"], False),
    "an exempted insurance tool": (
        Answers(
            annex_iii_area="essential_services",
            credit_or_insurance=True,
            exemptions=("preparatory",),
        ),
        ["deployer"],
        False,
    ),
    "a system that is not high-risk": (Answers(interacts_with_people=True), ["deployer"], False),
    "the provider, not the deployer, of a credit-scoring system": (
        Answers(annex_iii_area="essential_services", credit_or_insurance=True),
        ["provider"],
        False,
    ),
}


@pytest.fixture(autouse=True)
def someone_may_decide(ai_officer):
    """An AI officer who wrote nothing here: submissions have someone to decide on them."""
    return ai_officer


def classified(answers, ai_act_roles, by):
    system = AISystemFactory(ai_act_roles=ai_act_roles)
    ai_system_classify(system=system, answers=answers, user=by)
    return system


def draft_of(system, author, **fields):
    assessment = ImpactAssessmentFactory.build(system=system, **fields)
    assessment._history_user = author
    assessment.save()
    return ImpactAssessment.objects.get(pk=assessment.pk)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


class FormSections(HTMLParser):
    """The rendered form as {legend of each fieldset: names of the fields in it}."""

    def __init__(self, page):
        super().__init__()
        self.sections, self.legend, self.in_legend = {}, None, False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "legend" and "h5" in (attrs.get("class") or ""):
            self.in_legend, self.legend = True, ""
        elif (
            tag in ("input", "textarea", "select")
            and self.legend is not None
            and attrs.get("name")
            and attrs.get("type") != "hidden"
        ):
            names = self.sections.setdefault(self.legend, [])
            if attrs["name"] not in names:
                names.append(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "legend" and self.in_legend:
            self.in_legend = False
            self.sections.setdefault(self.legend, [])

    def handle_data(self, data):
        if self.in_legend:
            self.legend += data.strip()


def textarea(page, name):
    match = re.search(rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', page, re.S)
    assert match, f"no textarea {name}"
    return unescape(match.group(1))


def selected(page, name):
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert match, f"no select {name}"
    option = re.search(r'<option value="([^"]*)"[^>]*selected', match.group(1))
    return option.group(1) if option else None


def add_page(client, user, system):
    client.force_login(user)
    response = client.get(f"{reverse('impact:impactassessment_add')}?system={system.pk}")
    assert response.status_code == 200
    return response.content.decode()


# The rule, per classification outcome ------------------------------------------------------


@pytest.mark.parametrize(("answers", "ai_act_roles", "applies"), OUTCOMES.values(), ids=OUTCOMES)
def test_the_fria_part_follows_the_classifications_art_27_result(
    compliance_officer, answers, ai_act_roles, applies
):
    system = classified(answers, ai_act_roles, compliance_officer)
    assessment = draft_of(system, compliance_officer)

    assert system.fria_required is applies
    assert assessment.fria_required is applies
    if applies:
        assert assessment.hidden_detail_fields == ()
        assert assessment.submission_errors() == POINTS
    else:
        assert set(assessment.hidden_detail_fields) == {*POINTS, "fria_notified_on"}
        assert assessment.submission_errors() == {}


@pytest.mark.parametrize(("answers", "ai_act_roles", "applies"), OUTCOMES.values(), ids=OUTCOMES)
def test_submitting_without_the_fria_is_refused_exactly_where_art_27_applies(
    compliance_officer, answers, ai_act_roles, applies
):
    system = classified(answers, ai_act_roles, compliance_officer)
    assessment = draft_of(system, compliance_officer)

    if applies:
        with pytest.raises(ValidationError) as refusal:
            services.impact_assessment_submit(assessment=assessment, user=compliance_officer)
        assert refusal.value.message_dict == {name: [text] for name, text in POINTS.items()}
        assessment.refresh_from_db()
        assert assessment.status == Status.DRAFT
    else:
        services.impact_assessment_submit(assessment=assessment, user=compliance_officer)
        assessment.refresh_from_db()
        assert assessment.status == Status.SUBMITTED


def test_a_complete_fria_is_submitted(compliance_officer):
    answers, roles, _applies = OUTCOMES["a life and health insurance pricing deployer"]
    assessment = draft_of(classified(answers, roles, compliance_officer), compliance_officer)
    for name, value in FILLED.items():
        setattr(assessment, name, value)
    assessment._history_user = compliance_officer
    assessment.save()

    services.impact_assessment_submit(assessment=assessment, user=compliance_officer)

    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED


@pytest.mark.parametrize("missing", list(POINTS))
def test_each_empty_point_of_the_fria_is_named_on_its_own(compliance_officer, missing):
    answers, roles, _applies = OUTCOMES["a credit-scoring deployer"]
    # A point holding only spaces and line breaks is as empty as one never filled in.
    fields = {**FILLED, missing: "  \n "}
    assessment = draft_of(classified(answers, roles, compliance_officer), compliance_officer)
    for name, value in fields.items():
        setattr(assessment, name, value)
    assessment.save()

    with pytest.raises(ValidationError) as refusal:
        services.impact_assessment_submit(assessment=assessment, user=compliance_officer)

    assert refusal.value.message_dict == {missing: [POINTS[missing]]}
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT


def test_the_current_classification_decides_not_an_earlier_one(compliance_officer):
    answers, roles, _applies = OUTCOMES["a credit-scoring deployer"]
    system = classified(answers, roles, compliance_officer)
    ai_system_classify(
        system=system, answers=Answers(annex_iii_area="employment"), user=compliance_officer
    )
    assessment = draft_of(system, compliance_officer)

    services.impact_assessment_submit(assessment=assessment, user=compliance_officer)

    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED


def test_an_unclassified_system_needs_no_fria(compliance_officer):
    assessment = draft_of(AISystemFactory(ai_act_roles=["deployer"]), compliance_officer)
    assert assessment.fria_required is False
    assert assessment.submission_errors() == {}


def test_a_refused_submission_tells_the_user_each_missing_point(client, compliance_officer):
    answers, roles, _applies = OUTCOMES["a public body"]
    assessment = draft_of(classified(answers, roles, compliance_officer), compliance_officer)
    assessment.fria_processes = FILLED["fria_processes"]
    assessment.save()
    client.force_login(compliance_officer)

    response = client.post(reverse("impact:submit", args=[assessment.pk]))

    assert response.status_code == 302
    shown = " ".join(messages_of(response))
    for name, text in POINTS.items():
        assert (text in shown) is (name != "fria_processes")
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT


def test_the_draft_page_lists_what_submission_still_needs(client, compliance_officer):
    answers, roles, _applies = OUTCOMES["a credit-scoring deployer"]
    assessment = draft_of(classified(answers, roles, compliance_officer), compliance_officer)
    assessment.fria_risks = FILLED["fria_risks"]
    assessment.save()
    client.force_login(compliance_officer)

    response = client.get(assessment.get_absolute_url())

    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "Needed before the assessment can be submitted:" in page
    for name, text in POINTS.items():
        assert (text in page) is (name != "fria_risks")


def test_the_edit_form_shows_what_submission_needs_at_each_empty_point(client, compliance_officer):
    answers, roles, _applies = OUTCOMES["a credit-scoring deployer"]
    assessment = draft_of(classified(answers, roles, compliance_officer), compliance_officer)
    assessment.fria_period = FILLED["fria_period"]
    assessment.save()
    client.force_login(compliance_officer)

    response = client.get(reverse("impact:impactassessment_edit", args=[assessment.pk]))

    assert response.status_code == 200
    page = unescape(response.content.decode())
    for name, text in POINTS.items():
        field_at = page.index(f'name="{name}"')
        following = page[field_at : field_at + 1200]
        assert (text in following) is (name != "fria_period")


# Starting values from the AI system ------------------------------------------------------------


@pytest.fixture
def pricing_model(compliance_officer):
    system = AISystemFactory(
        name="Health insurance pricing model",
        purpose="Prices new private health insurance applications from the health questionnaire.",
        foreseeable_misuse="Declining applicants on the price alone.",
        area_of_use="Underwriting of private health insurance",
        geography="Germany",
        affected_persons="Applicants for private health insurance",
        vulnerable_groups="Chronically ill and disabled applicants",
        automation_level=AutomationLevel.HUMAN_IN_LOOP,
        human_oversight="An underwriter confirms every surcharge.",
        personal_data=True,
        special_category_data=True,
        review_cadence_months=6,
        ai_act_roles=["provider", "deployer"],
    )
    DatasetFactory(name="Health questionnaires 2018–2025").systems.add(system)
    ai_system_classify(
        system=system,
        answers=Answers(annex_iii_area="essential_services", credit_or_insurance=True),
        user=compliance_officer,
    )
    return system


def test_a_new_assessment_starts_from_what_the_system_holds(
    client, compliance_officer, pricing_model
):
    page = add_page(client, compliance_officer, pricing_model)
    dataset = pricing_model.datasets.get()

    assert textarea(page, "intended_use") == pricing_model.purpose
    assert textarea(page, "foreseeable_misuse") == "Declining applicants on the price alone."
    assert textarea(page, "affected_groups") == "Applicants for private health insurance"
    assert textarea(page, "vulnerable_groups") == "Chronically ill and disabled applicants"
    assert textarea(page, "human_oversight") == "An underwriter confirms every surcharge."
    assert textarea(page, "data_used") == f"{dataset.reference} Health questionnaires 2018–2025"
    assert selected(page, "automation_level") == "human_in_loop"
    assert selected(page, "data_sensitivity") == "special"
    assert 'name="jurisdictions" value="Germany"' in page
    assert 'name="review_interval_months" value="6"' in page
    # The FRIA points the system's record answers already.
    assert textarea(page, "fria_processes") == "Underwriting of private health insurance"
    assert textarea(page, "fria_affected_persons") == (
        "Applicants for private health insurance\nChronically ill and disabled applicants"
    )
    assert textarea(page, "fria_oversight") == "An underwriter confirms every surcharge."
    assert textarea(page, "fria_risks") == ""


def test_the_starting_values_are_saved_as_posted(client, compliance_officer, pricing_model):
    client.force_login(compliance_officer)
    response = client.get(f"{reverse('impact:impactassessment_add')}?system={pricing_model.pk}")
    form = response.context["form"]
    payload = {
        name: "" if form[name].value() is None else form[name].value()
        for name in form.fields
        if name != "loaded_version"
    }

    response = client.post(
        reverse("impact:impactassessment_add"), {**payload, "system": pricing_model.pk}
    )

    assert response.status_code == 302
    saved = pricing_model.impact_assessments.get()
    assert saved.intended_use == pricing_model.purpose
    assert saved.data_sensitivity == "special"
    assert saved.fria_oversight == "An underwriter confirms every surcharge."


def test_choosing_the_system_on_a_blank_form_reloads_it_with_the_systems_values(
    client, compliance_officer, pricing_model
):
    client.force_login(compliance_officer)
    url = reverse("impact:impactassessment_add")
    blank = client.get(url)
    assert blank.status_code == 200
    select = re.search(r'<select name="system"[^>]*>', blank.content.decode()).group(0)
    assert f'hx-get="{url}"' in select
    assert 'hx-select="#assessment-form"' in select
    assert 'id="assessment-form"' in blank.content.decode()

    # What the browser sends on the change: the whole form with the blank form's default
    # interval, the system now chosen, a field already typed in.
    form = blank.context["form"]
    sent = {name: "" for name in form.fields} | {
        "system": pricing_model.pk,
        "review_interval_months": "12",
        "recommendation": "Typed before choosing.",
        "csrfmiddlewaretoken": "x",
    }
    response = client.get(url, sent, headers={"HX-Request": "true"})

    assert response.status_code == 200
    page = response.content.decode()
    assert textarea(page, "intended_use") == pricing_model.purpose
    assert textarea(page, "recommendation") == "Typed before choosing."
    assert 'name="review_interval_months" value="6"' in page  # the system's review cadence
    assert FRIA_HEADING in page


def test_values_in_the_link_win_over_the_systems(client, compliance_officer, pricing_model):
    client.force_login(compliance_officer)
    url = reverse("impact:impactassessment_add")
    response = client.get(f"{url}?system={pricing_model.pk}&intended_use=Renewal+pricing")

    assert response.status_code == 200
    assert textarea(response.content.decode(), "intended_use") == "Renewal pricing"


def test_a_system_without_personal_data_leaves_the_sensitivity_to_the_assessor(
    client, compliance_officer
):
    system = AISystemFactory(personal_data=False, special_category_data=False)
    page = add_page(client, compliance_officer, system)
    assert selected(page, "data_sensitivity") in (None, "")
    assert textarea(page, "intended_use") == system.purpose


def test_a_system_outside_the_users_scope_fills_in_nothing(client, system_owner, make_user):
    own = AISystemFactory(owner=system_owner)
    other = AISystemFactory(owner=make_user("no_role"), purpose="Secret purpose of another team.")

    page = add_page(client, system_owner, other)

    assert f'<option value="{own.pk}"' in page
    assert "Secret purpose of another team." not in page
    assert textarea(page, "intended_use") == ""


def test_editing_an_assessment_keeps_its_own_values(client, compliance_officer, pricing_model):
    assessment = draft_of(pricing_model, compliance_officer, intended_use="As assessed.")
    client.force_login(compliance_officer)
    response = client.get(reverse("impact:impactassessment_edit", args=[assessment.pk]))
    assert response.status_code == 200
    assert textarea(response.content.decode(), "intended_use") == "As assessed."


# Sections ------------------------------------------------------------------------------------


def test_the_form_is_in_headed_sections_with_the_fria_under_its_own(
    client, compliance_officer, pricing_model
):
    sections = FormSections(add_page(client, compliance_officer, pricing_model)).sections

    assert list(sections) == [*SECTIONS, FRIA_HEADING]
    assert sections["The assessment"] == ["system", "owner", "review_interval_months"]
    assert sections["Affected people"] == ["affected_groups", "vulnerable_groups"]
    assert sections[FRIA_HEADING] == [*POINTS, "fria_notified_on"]
    every = [name for names in sections.values() for name in names]
    assert sorted(every) == sorted(set(every))  # each field once


def test_without_art_27_the_form_has_no_fria_section(client, compliance_officer):
    answers, roles, _applies = OUTCOMES["a private employer's high-risk system"]
    system = classified(answers, roles, compliance_officer)

    sections = FormSections(add_page(client, compliance_officer, system)).sections

    assert list(sections) == SECTIONS
    assert "intended_use" in sections["Intended use and context"]
    assert not any(name.startswith("fria_") for names in sections.values() for name in names)


def test_the_edit_form_has_the_same_sections(client, compliance_officer, pricing_model):
    assessment = draft_of(pricing_model, compliance_officer)
    client.force_login(compliance_officer)
    response = client.get(reverse("impact:impactassessment_edit", args=[assessment.pk]))
    assert response.status_code == 200
    assert list(FormSections(response.content.decode()).sections) == [*SECTIONS, FRIA_HEADING]
