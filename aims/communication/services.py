"""State changes of communication: asking for and recording acknowledgements of the AI policy."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from aims.communication.models import AcknowledgementRequest, PolicyAcknowledgement, asked_users
from aims.context.models import AIPolicy
from aims.core.notifications import notify
from aims.core.roles import ROLES, may_request_acknowledgement


def locked_policy(policy):
    return AIPolicy.objects.select_for_update().get(pk=policy.pk)


def acknowledgement_request_create(*, policy, user, all_users=False, roles=()):
    """Ask the holders of `roles` (or everyone with a role) to acknowledge the approved policy;
    tell those newly asked who have not acknowledged it yet."""
    if not may_request_acknowledgement(user):
        raise PermissionDenied
    roles = list(roles)
    if not all_users and not roles:
        raise ValidationError(_("Choose the roles to ask, or ask all users."))
    if any(group.name not in ROLES for group in roles):
        raise ValidationError(_("Choose roles of the portal."))
    with transaction.atomic():
        policy = locked_policy(policy)
        if policy.status != AIPolicy.Status.APPROVED:
            raise ValidationError(_("Only the approved AI policy can be acknowledged."))
        before = set(asked_users(policy).values_list("pk", flat=True))
        request = AcknowledgementRequest.objects.create(
            policy=policy, all_users=all_users, requested_by=user
        )
        request.roles.set([] if all_users else roles)
        acknowledged = policy.acknowledgements.values("user")
        newly_asked = asked_users(policy).exclude(pk__in=before).exclude(pk__in=acknowledged)
        notify(
            recipients=list(newly_asked),
            message=_("Please read and acknowledge the AI policy %(policy)s.") % {"policy": policy},
            url=policy.get_absolute_url(),
            key=f"ai-policy-acknowledgement:{policy.pk}",
        )
    return request


def policy_acknowledge(*, policy, user):
    """Record that `user` has read and understood this version of the policy; a second time
    changes nothing. Returns the acknowledgement and whether it is new."""
    with transaction.atomic():
        # The lock orders acknowledgements against a new version being approved.
        policy = locked_policy(policy)
        if policy.status != AIPolicy.Status.APPROVED:
            raise ValidationError(_("Only the approved AI policy can be acknowledged."))
        if not asked_users(policy).filter(pk=user.pk).exists():
            raise ValidationError(_("You have not been asked to acknowledge this policy."))
        existing = policy.acknowledgements.filter(user=user).first()
        if existing:
            return existing, False
        try:
            with transaction.atomic():
                return PolicyAcknowledgement.objects.create(policy=policy, user=user), True
        except IntegrityError:  # a double click that passed the check at the same moment
            return policy.acknowledgements.get(user=user), False


def portal_roles():
    """The roles (groups) a request may name, in the portal's order."""
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLES)}
    return [groups[name] for name in ROLES if name in groups]
