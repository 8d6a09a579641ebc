"""State changes of the context area: AI policy approval and versions, RACI letters."""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from aims.context.approvals import POLICY
from aims.context.models import AIPolicy, RACIAssignment
from aims.core import approvals


def ai_policy_approve(*, policy, user, seen=None):
    """Approve a draft AI policy; the previously approved version is retired."""
    return approvals.decide(POLICY, policy, user=user, data={"outcome": "approve"}, seen=seen)


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
