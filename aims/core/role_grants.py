"""Role grants under control: every change of a user's roles is recorded, changes made by a person
tell the compliance officers, nobody grants themselves the approval role, and the AI Officer role
for an administrator waits for a second administrator.

Roles are Django groups, so the record is written on `m2m_changed` of `User.groups` whichever
side changes it. Who made the change comes from `acting(user)`, which the admin sets around its
save; changes outside it (data migrations, demo data, the shell) are recorded without a name and
without notifications.
"""

import contextlib
import contextvars

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.models import RoleChange, RoleGrantRequest
from aims.core.notifications import notify
from aims.core.roles import ADMINISTRATOR, AI_OFFICER, COMPLIANCE_OFFICER, ROLE_LABELS, has_role

# Roles that decide (approvals): nobody grants them to themselves.
APPROVAL_ROLES = (AI_OFFICER,)

_actor = contextvars.ContextVar("aims_role_actor", default=None)


def role_label(role):
    return ROLE_LABELS.get(role, role)


@contextlib.contextmanager
def acting(user):
    """Name `user` as the person behind the role changes made inside the block."""
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


def is_administrator(user):
    return user.is_active and (user.is_superuser or has_role(user, ADMINISTRATOR))


def check_grant(*, actor, user, roles):
    """Refuse roles that `actor` may not grant to `user`; `roles` are the role names added."""
    if actor is not None and user.pk is not None and actor.pk == user.pk:
        refused = sorted(set(roles) & set(APPROVAL_ROLES))
        if refused:
            raise ValidationError(
                _("You cannot grant yourself the %(role)s role: another administrator must."),
                params={"role": ", ".join(str(role_label(role)) for role in refused)},
                code="self_grant",
            )


def held_for_confirmation(*, before, after):
    """The added roles that wait for a second administrator: the AI Officer role for someone
    who holds or gets the Administrator role (or the Administrator role for an AI officer)."""
    added = set(after) - set(before)
    if not {AI_OFFICER, ADMINISTRATOR} <= set(after):
        return []
    if AI_OFFICER in added:
        return [AI_OFFICER]
    return [ADMINISTRATOR] if ADMINISTRATOR in added else []


def may_set_password(*, actor, user):
    """An AI officer's password is set by the officer alone, never by an administrator."""
    return actor.pk == user.pk or not has_role(user, AI_OFFICER)


def role_grant_request(*, user, role, requested_by):
    """Ask for `role` for `user`; it takes effect when another administrator confirms."""
    check_grant(actor=requested_by, user=user, roles=[role])
    grant, _created = RoleGrantRequest.objects.get_or_create(
        user=user, role=role, confirmed_at=None, defaults={"requested_by": requested_by}
    )
    _tell_compliance_officers(
        _("%(actor)s asks for the %(role)s role for %(user)s; another administrator must confirm.")
        % {"actor": requested_by, "role": role_label(role), "user": user},
        key=f"role-grant-request-{grant.pk}",
        url=reverse("admin:core_rolegrantrequest_changelist"),
    )
    return grant


def role_grant_confirm(*, grant, user):
    """Confirm a pending grant: only an administrator other than the requester and the grantee."""
    with transaction.atomic():
        grant = RoleGrantRequest.objects.select_for_update().get(pk=grant.pk)
        if not grant.pending:
            raise ValidationError(_("This role grant has been confirmed already."))
        if not is_administrator(user):
            raise PermissionDenied(_("Only an administrator confirms a role grant."))
        if user.pk in (grant.requested_by_id, grant.user_id):
            raise PermissionDenied(
                _("A second administrator must confirm this role grant, not %(user)s.")
                % {"user": user}
            )
        grant.confirmed_by = user
        grant.confirmed_at = timezone.now()
        grant.save(update_fields=["confirmed_by", "confirmed_at"])
        with acting(user):
            grant.user.groups.add(Group.objects.get(name=grant.role))
    return grant


def _tell_compliance_officers(message, *, key, url):
    officers = get_user_model().objects.filter(groups__name=COMPLIANCE_OFFICER, is_active=True)
    notify(recipients=list(officers.distinct()), message=str(message), url=url, key=key)


def record_group_change(sender, instance, action, reverse, model, pk_set, **kwargs):
    """`m2m_changed` of `User.groups`: one `RoleChange` per user and role added or removed."""
    if action == "pre_clear":
        # post_clear no longer knows what was there.
        if reverse:
            instance._aims_cleared = set(instance.user_set.values_list("pk", flat=True))
        else:
            instance._aims_cleared = set(instance.groups.values_list("pk", flat=True))
        return
    if action == "post_clear":
        pk_set = getattr(instance, "_aims_cleared", set())
    elif action not in ("post_add", "post_remove"):
        return
    if not pk_set:
        return
    granted = action == "post_add"
    if reverse:  # group.user_set changed
        pairs = [(user, instance) for user in get_user_model().objects.filter(pk__in=pk_set)]
    else:
        pairs = [(instance, group) for group in Group.objects.filter(pk__in=pk_set)]
    actor = _actor.get()
    changes = RoleChange.objects.bulk_create(
        RoleChange(
            changed_by=actor,
            user=user,
            role=group.name,
            action=RoleChange.Action.GRANTED if granted else RoleChange.Action.REMOVED,
        )
        for user, group in pairs
    )
    if actor is None:
        return
    url = reverse_url()
    for change in changes:
        if granted:
            message = _("%(actor)s granted the %(role)s role to %(user)s.")
        else:
            message = _("%(actor)s removed the %(role)s role from %(user)s.")
        _tell_compliance_officers(
            message % {"actor": actor, "role": role_label(change.role), "user": change.user},
            key=f"role-change-{change.pk}",
            url=url,
        )


def reverse_url():
    return reverse("admin:core_rolechange_changelist")


def connect():
    from django.db.models.signals import m2m_changed

    m2m_changed.connect(
        record_group_change,
        sender=get_user_model().groups.through,
        dispatch_uid="aims-role-changes",
    )
