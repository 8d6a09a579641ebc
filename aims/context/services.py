"""State changes of the context area: AI policy approval and versions, RACI letters."""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.context.models import AIPolicy, RACIAssignment
from aims.core.notifications import remind_once
from aims.core.roles import COMPLIANCE_OFFICER, is_author, may_approve

User = get_user_model()


def ai_policy_approve(*, policy, user):
    """Approve a draft AI policy; the previously approved version is retired."""
    with transaction.atomic():
        policy = AIPolicy.objects.select_for_update().get(pk=policy.pk)
        if not may_approve(user):
            raise PermissionDenied(_("Only the AI officer approves the AI policy."))
        if policy.status != AIPolicy.Status.DRAFT:
            raise ValidationError(_("Only a draft can be approved."))
        if not policy.next_review:
            raise ValidationError(_("Set the next review date before approving."))
        if is_author(user, policy):
            raise ValidationError(
                _("You wrote or last changed this policy; someone else must approve it.")
            )
        try:
            with transaction.atomic():
                for previous in AIPolicy.objects.select_for_update().filter(
                    status=AIPolicy.Status.APPROVED
                ):
                    previous.status = AIPolicy.Status.RETIRED
                    previous._history_user = user
                    previous.save()
                policy.status = AIPolicy.Status.APPROVED
                policy.approved_by = user
                policy.approved_on = timezone.localdate()
                policy._history_user = user
                policy.save()
        except IntegrityError:
            # Only one version may be approved: two approvals at the same moment meet here.
            raise ValidationError(
                _("Another version was approved at the same moment. Reload and check.")
            ) from None
    return policy


def ai_policy_new_version(*, policy):
    """Start a draft from an approved or retired policy, for the next revision."""
    with transaction.atomic():
        policy = AIPolicy.objects.select_for_update().get(pk=policy.pk)
        if policy.status == AIPolicy.Status.DRAFT:
            raise ValidationError(_("This version is still a draft; edit it instead."))
        return AIPolicy.objects.create(
            title=policy.title,
            policy_version=next_version(policy.policy_version),
            content=policy.content,
        )


def next_version(version):
    """'1.0' → '2.0'; anything not starting with a number gets '.1' appended."""
    match = re.match(r"^(\d+)", version)
    return f"{int(match.group(1)) + 1}.0" if match else f"{version}.1"[:20]


def raci_assign(*, activity, role, responsibility):
    """Set (or with an empty letter, clear) the role's letter for the activity."""
    if responsibility and responsibility not in RACIAssignment.Responsibility.values:
        raise ValidationError(_("Choose R, A, C or I."))
    with transaction.atomic():
        cell = RACIAssignment.objects.select_for_update().filter(activity=activity, role=role)
        assignment = cell.first()
        if not responsibility:
            if assignment:
                assignment.delete()
            return None
        if assignment is None:
            try:
                with transaction.atomic():
                    return RACIAssignment.objects.create(
                        activity=activity, role=role, responsibility=responsibility
                    )
            except IntegrityError:  # someone set this cell at the same moment
                assignment = cell.get()
        if assignment.responsibility != responsibility:
            assignment.responsibility = responsibility
            assignment.save()
        return assignment


def policy_review_reminders():
    """Remind compliance officers of an approved AI policy whose review is due soon or overdue."""
    horizon = timezone.localdate() + timedelta(days=settings.REVIEW_REMINDER_DAYS)
    officers = User.objects.filter(groups__name=COMPLIANCE_OFFICER, is_active=True)
    sent = 0
    for policy in AIPolicy.objects.filter(
        status=AIPolicy.Status.APPROVED, next_review__lte=horizon
    ):
        sent += remind_once(
            key=f"ai-policy-review:{policy.pk}:{policy.next_review.isoformat()}",
            recipients=officers,
            subject=_("AI policy review due: %(policy)s") % {"policy": policy},
            body=_("The review of %(policy)s is due on %(date)s.\n\nOpen it in the portal: %(url)s")
            % {
                "policy": policy,
                "date": policy.next_review.isoformat(),
                "url": settings.PORTAL_URL + policy.get_absolute_url(),
            },
        )
    return sent
