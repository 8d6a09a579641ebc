"""The risk register's decisions on the core approval machinery: activating risk criteria,
approving a treatment plan, accepting a residual risk."""

from functools import reduce
from operator import or_

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.core.approvals import (
    Approval,
    DecisionForm,
    approvals,
    authored_by,
    field_content,
    make_current,
    part_authors,
    parts_authored_by,
    workflow_save,
)
from aims.core.dates import add_years
from aims.core.forms import DATE
from aims.core.permissions import can
from aims.core.roles import ADMINISTRATOR, AI_OFFICER, COMPLIANCE_OFFICER, may_approve
from risks.models import Risk, RiskAcceptance, RiskCriteria, RiskLevel, TreatmentAction

CRITERIA_FIELDS = (
    "name",
    "likelihood_scale",
    "impact_scale",
    "matrix",
    "acceptance_threshold",
)
ACTION_FIELDS = ("title", "description", "owner", "due_date")
ACCEPTED_FIELDS = (
    "reference",
    "title",
    "description",
    "criteria",
    "residual_likelihood",
    "residual_impact",
    "residual_level",
    "treatment_option",
)


def above_threshold():
    """Risks whose residual level lies above their criteria's acceptance threshold, a Q:
    `Risk.needs_ai_officer` in SQL."""
    levels = RiskLevel.values
    return reduce(
        or_,
        (
            Q(criteria__acceptance_threshold=threshold, residual_level__in=levels[rank + 1 :])
            for rank, threshold in enumerate(levels[:-1])
        ),
    )


class RiskCriteriaActivation(Approval):
    """Whoever may change risk criteria activates a draft written by someone else."""

    model = RiskCriteria
    key = "risk-criteria"
    title = gettext_lazy("Risk criteria")
    action_label = gettext_lazy("Make these the active criteria")
    verbose_name = gettext_lazy("these risk criteria")
    decider_roles = (COMPLIANCE_OFFICER, ADMINISTRATOR)
    role_refusal = gettext_lazy(
        "Only the compliance officer or an administrator activates risk criteria."
    )
    not_awaiting = gettext_lazy("Only a draft can be activated.")
    outcomes = (("activate", gettext_lazy("Activate")),)
    decides_by_role = False  # `may_decide` asks the permissions

    def awaiting(self):
        return RiskCriteria.objects.filter(status=RiskCriteria.Status.DRAFT)

    def may_decide(self, user, obj):
        return can(user, "change", RiskCriteria)

    def content(self, obj):
        return field_content(obj, CRITERIA_FIELDS)

    def apply(self, criteria, user, data):
        criteria.check_scales()
        criteria.activated_by, criteria.activated_on = user, timezone.localdate()
        return make_current(
            criteria,
            status=RiskCriteria.Status.ACTIVE,
            retired=RiskCriteria.Status.RETIRED,
            user=user,
            clash=_("Other criteria were activated at the same moment. Reload and check."),
        )


class TreatmentPlanApproval(Approval):
    """Designated management (the AI officer) approves the actions of a risk's plan."""

    model = Risk
    key = "treatment-plan"
    title = gettext_lazy("Treatment plan")
    action_label = gettext_lazy("Approve treatment plan")
    verbose_name = gettext_lazy("this treatment plan")
    role_refusal = gettext_lazy("Only the AI officer approves treatment plans.")
    not_awaiting = gettext_lazy("The plan is approved already, or it has no actions to approve.")

    def awaiting(self):
        return Risk.objects.awaiting_plan_approval()

    def actions(self, risk):
        return risk.treatment_actions.in_plan().select_related("owner").order_by("pk")

    def content(self, risk):
        return {
            "risk": risk.reference,
            "actions": [field_content(action, ACTION_FIELDS) for action in self.actions(risk)],
        }

    def parts(self, risk):
        return [
            (
                TreatmentAction._meta.verbose_name_plural,
                [
                    [
                        (TreatmentAction._meta.get_field(name).verbose_name, getattr(action, name))
                        for name in ACTION_FIELDS
                    ]
                    for action in self.actions(risk)
                ],
            )
        ]

    def authors(self, risk):
        # The plan is its actions: whoever wrote or changed one, here or before a move.
        return part_authors(TreatmentAction, "risk", risk.pk)

    def four_eyes(self, user):
        return Q(pk__in=parts_authored_by(TreatmentAction, "risk", user))

    def apply(self, risk, user, data):
        risk.plan_approved_by = user
        risk.plan_approved_on = timezone.localdate()
        workflow_save(risk, user)
        return risk

    def notify_ids(self, risk, result):
        return {risk.owner_id} | set(self.actions(risk).values_list("owner_id", flat=True))


class AcceptanceForm(DecisionForm):
    justification = forms.CharField(
        label=gettext_lazy("Justification"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Why the organization can live with the residual risk."),
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Valid until"),
        widget=DATE,
        help_text=gettext_lazy("After this date the risk goes back into review."),
    )

    def clean_justification(self):
        return self.cleaned_data["justification"].replace("\r\n", "\n").strip()

    def clean_expires_on(self):
        expires = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if expires <= today:
            raise forms.ValidationError(_("Choose a date in the future."))
        if expires > add_years(today, 3):
            raise forms.ValidationError(_("An acceptance is valid for three years at most."))
        return expires


class RiskAcceptanceApproval(Approval):
    """Above the criteria's threshold only the AI officer accepts a residual risk, and never
    one they own; at or below it the risk owner may too."""

    model = Risk
    key = "risk-acceptance"
    title = gettext_lazy("Residual risk acceptance")
    action_label = gettext_lazy("Accept residual risk")
    verbose_name = gettext_lazy("this risk")
    outcomes = (("accept", gettext_lazy("Accept the residual risk")),)
    form_class = AcceptanceForm
    comment = False

    def awaiting(self):
        return (
            Risk.objects.exclude(residual_level="")
            .exclude(status__in=(Risk.Status.ACCEPTED, Risk.Status.CLOSED))
            # The few criteria once, not their scales decoded on every risk's row.
            .prefetch_related("criteria")
        )

    def decidable(self, user):
        # Besides the AI officer, only a risk's own owner accepts it, at or below the threshold.
        if may_approve(user):
            return self.awaiting()
        if not user.is_active:
            return self.awaiting().none()
        return self.awaiting().filter(owner=user).exclude(above_threshold())

    def is_awaiting(self, risk):
        return bool(risk.residual_level) and risk.status not in (
            Risk.Status.ACCEPTED,
            Risk.Status.CLOSED,
        )

    def not_awaiting_message(self, risk):
        if not risk.residual_level:
            return _("Assess the residual risk before accepting it.")
        if risk.status == Risk.Status.CLOSED:
            return _("A closed risk is not accepted.")
        return _("The residual risk is accepted already.")

    def role_refusal_message(self, risk):
        if risk.needs_ai_officer:
            return _(
                "The residual level is above the acceptance threshold: only the AI officer "
                "accepts it."
            )
        return _("Only the risk owner or the AI officer accepts this risk.")

    def may_decide(self, user, risk):
        if may_approve(user):
            return True
        return user.is_active and not risk.needs_ai_officer and risk.owner_id == user.pk

    def candidates(self, risk):
        who = Q(groups__name=AI_OFFICER)
        if risk.owner_id and not risk.needs_ai_officer:
            who |= Q(pk=risk.owner_id)
        return get_user_model().objects.filter(who, is_active=True).distinct()

    def content(self, risk):
        return field_content(risk, ACCEPTED_FIELDS)

    def subject_owner_ids(self, risk):
        return {risk.owner_id} if risk.needs_ai_officer and risk.owner_id else set()

    def four_eyes(self, user):
        # `authors` is the base one: the risk's own history.
        return Q(owner=user) & above_threshold() | Q(pk__in=authored_by(Risk.history, user))

    def apply(self, risk, user, data):
        if not data.get("justification", "").strip():
            raise ValidationError(_("Give a justification."))
        if data["expires_on"] <= timezone.localdate():
            raise ValidationError(_("The acceptance must be valid beyond today."))
        acceptance = RiskAcceptance(
            risk=risk,
            accepted_by=user,
            accepted_on=timezone.localdate(),
            justification=data["justification"],
            expires_on=data["expires_on"],
            criteria=risk.criteria,
            residual_likelihood=risk.residual_likelihood,
            residual_impact=risk.residual_impact,
            residual_level=risk.residual_level,
            by_ai_officer=risk.needs_ai_officer,
        )
        acceptance._history_user = user
        acceptance.save()
        risk.status = Risk.Status.ACCEPTED
        workflow_save(risk, user)
        return acceptance


CRITERIA = approvals.register(RiskCriteriaActivation())
PLAN = approvals.register(TreatmentPlanApproval())
ACCEPTANCE = approvals.register(RiskAcceptanceApproval())
