"""Decisions on impact assessments, on the core approval machinery."""

import json

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.core import pickers
from aims.core.approvals import (
    Approval,
    DecisionForm,
    approvals,
    authored_by,
    content_authors,
    last_submitted_by,
    part_authors,
    parts_authored_by,
    workflow_save,
)
from aims.core.dates import add_months
from aims.core.digests import canonical_sha256
from aims.core.forms import DATE, restrict_choices, single_line, style_widgets
from aims.core.permissions import can
from aims.impact.models import (
    AssessmentDecision,
    DecisionCondition,
    Impact,
    ImpactAssessment,
)

Status = ImpactAssessment.Status
Outcome = AssessmentDecision.Outcome
IMPACT_FIELDS = (
    "area",
    "description",
    "affected_group",
    "positive",
    "likelihood",
    "severity",
    "mitigation",
    "control_id",
)
CONDITION_ROWS = 3


def snapshot(assessment):
    """The assessment's content as canonical data: what a decision covers."""
    impacts = sorted(
        ({name: getattr(i, name) for name in IMPACT_FIELDS} for i in assessment.impacts.all()),
        key=lambda item: json.dumps(item, sort_keys=True),
    )
    return {
        "reference": assessment.reference,
        "system": assessment.system.reference,
        "version": assessment.number,
        **{name: getattr(assessment, name) for name in ImpactAssessment.CONTENT_FIELDS},
        "impacts": impacts,
    }


class AssessmentDecisionForm(DecisionForm):
    picker_route = ("core:pick_form", ["impact-decision"])  # long dropdowns search there

    def __init__(self, *args, approval, user, **kwargs):
        super().__init__(*args, approval=approval, user=user, **kwargs)
        users = get_user_model().objects.filter(is_active=True)
        for row in range(CONDITION_ROWS):
            number = {"number": row + 1}
            self.fields[f"condition_{row}"] = forms.CharField(
                label=_("Condition %(number)d") % number,
                max_length=500,
                required=False,
                validators=[single_line],
            )
            self.fields[f"condition_{row}_owner"] = forms.ModelChoiceField(
                label=_("Owner of condition %(number)d") % number, queryset=users, required=False
            )
            self.fields[f"condition_{row}_due"] = forms.DateField(
                label=_("Due date of condition %(number)d") % number, required=False, widget=DATE
            )
        restrict_choices(self.fields, user)
        style_widgets(self)

    def clean(self):
        cleaned = super().clean()
        conditions = []
        for row in range(CONDITION_ROWS):
            text = cleaned.get(f"condition_{row}", "").strip()
            owner, due = cleaned.get(f"condition_{row}_owner"), cleaned.get(f"condition_{row}_due")
            if not (text or owner or due):
                continue
            if not (text and owner and due):
                self.add_error(
                    f"condition_{row}", _("A condition needs its text, an owner and a due date.")
                )
            elif due < timezone.localdate():
                self.add_error(f"condition_{row}_due", _("The due date lies in the past."))
            else:
                conditions.append((text, owner, due))
        cleaned["conditions"] = conditions
        return cleaned

    def condition_rows(self):
        return [
            (self[f"condition_{row}"], self[f"condition_{row}_owner"], self[f"condition_{row}_due"])
            for row in range(CONDITION_ROWS)
        ]


@pickers.form_source("impact-decision")
def decision_form(request):
    if not can(request.user, "view", ImpactAssessment):
        raise Http404
    approval = approvals.get(ImpactAssessmentApproval.key)
    return AssessmentDecisionForm(approval=approval, user=request.user)


class ImpactAssessmentApproval(Approval):
    """The AI officer approves (with or without conditions) or rejects a submitted version;
    never one they wrote, changed, submitted or own, nor one of a system they own."""

    model = ImpactAssessment
    key = "impact-assessment"
    title = gettext_lazy("Impact assessment")
    verbose_name = gettext_lazy("this impact assessment")
    role_refusal = gettext_lazy("Only the AI officer decides on impact assessments.")
    not_awaiting = gettext_lazy("Only a submitted assessment can be decided.")
    outcomes = Outcome.choices
    comment_required_for = (Outcome.REJECTED,)
    form_class = AssessmentDecisionForm
    fields_template = "impact/decision_fields.html"

    def awaiting(self):
        return ImpactAssessment.objects.filter(status=Status.SUBMITTED)

    def is_awaiting(self, assessment):
        return assessment.status == Status.SUBMITTED

    def content(self, assessment):
        return snapshot(assessment)

    def parts(self, assessment):
        fields = [Impact._meta.get_field(name) for name in IMPACT_FIELDS]
        return [
            (
                Impact._meta.verbose_name_plural,
                [
                    [(f.verbose_name, getattr(impact, f.name)) for f in fields]
                    for impact in assessment.impacts.select_related("control")
                ],
            )
        ]

    def authors(self, assessment):
        return content_authors(assessment.history.all()) | part_authors(
            Impact, "assessment", assessment.pk
        )

    def submitter_id(self, assessment):
        record = (
            assessment.history.filter(status=Status.SUBMITTED)
            .order_by("-history_date", "-history_id")
            .first()
        )
        return record.history_user_id if record else None

    def subject_owner_ids(self, assessment):
        return {assessment.owner_id, assessment.system.owner_id} - {None}

    def four_eyes(self, user):
        return (
            Q(owner=user)
            | Q(system__owner=user)
            | Q(pk__in=authored_by(ImpactAssessment.history, user))
            | Q(pk__in=parts_authored_by(Impact, "assessment", user))
            | Q(pk__in=last_submitted_by(ImpactAssessment, user, Status.SUBMITTED))
        )

    def outcome_label(self, assessment, data):
        return Outcome(data["outcome"]).label

    def apply(self, assessment, user, data):
        outcome, comment = data["outcome"], data.get("comment", "")
        conditions = data.get("conditions", ())
        if outcome == Outcome.REJECTED and not comment.strip():
            raise ValidationError(_("Give the reasons for the rejection."))
        if (outcome == Outcome.APPROVED_WITH_CONDITIONS) != bool(conditions):
            raise ValidationError(
                _(
                    "An approval with conditions needs at least one condition; a plain "
                    "approval has none."
                )
            )
        data = snapshot(assessment)
        decision = AssessmentDecision.objects.create(
            assessment=assessment,
            outcome=outcome,
            decided_by=user,
            comment=comment,
            snapshot=data,
            snapshot_sha256=canonical_sha256(data),
        )
        DecisionCondition.objects.bulk_create(
            DecisionCondition(decision=decision, text=text, owner=owner, due_date=due)
            for text, owner, due in conditions
        )
        if outcome == Outcome.REJECTED:
            assessment.status = Status.DRAFT
        else:
            assessment.status = outcome
            assessment.next_review = add_months(
                timezone.localdate(), assessment.review_interval_months
            )
            assessment.reassessment_due = False
            assessment.reassessment_reason = ""
            # The approved version is the re-assessment the earlier ones were due for.
            for earlier in assessment.system.impact_assessments.filter(
                reassessment_due=True, number__lt=assessment.number
            ):
                earlier.reassessment_due = False
                workflow_save(earlier, user)
        workflow_save(assessment, user)
        return decision

    def notify_ids(self, assessment, decision):
        return set(decision.conditions.values_list("owner_id", flat=True))


ASSESSMENT = approvals.register(ImpactAssessmentApproval())
