"""The AI policy's approval on the core approval machinery."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.context.models import AIPolicy
from aims.core.approvals import Approval, approvals, field_content, make_current

POLICY_FIELDS = ("reference", "title", "policy_version", "content", "next_review")


class AIPolicyApproval(Approval):
    """The AI officer approves a draft; the approved version before it retires."""

    model = AIPolicy
    key = "ai-policy"
    title = gettext_lazy("AI policy")
    action_label = gettext_lazy("Approve this version")
    verbose_name = gettext_lazy("this policy")
    role_refusal = gettext_lazy("Only the AI officer approves the AI policy.")
    not_awaiting = gettext_lazy("Only a draft can be approved.")

    def awaiting(self):
        return AIPolicy.objects.filter(status=AIPolicy.Status.DRAFT)

    def content(self, policy):
        return field_content(policy, POLICY_FIELDS)

    def apply(self, policy, user, data):
        if not policy.next_review:
            raise ValidationError(_("Set the next review date before approving."))
        policy.approved_by, policy.approved_on = user, timezone.localdate()
        return make_current(
            policy,
            status=AIPolicy.Status.APPROVED,
            retired=AIPolicy.Status.RETIRED,
            user=user,
            clash=_("Another version was approved at the same moment. Reload and check."),
        )


POLICY = approvals.register(AIPolicyApproval())
