"""The audit team's object permissions: the lead auditor and the team members view and change
their audits (and so write the checklist, which hangs off the audit); whoever leaves the team
loses them. Kept in step by signals, so every way of saving an audit applies them; the app
connects them when it is ready (`connect`)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from guardian.shortcuts import assign_perm

from aims.core.permissions import perm_name
from aims.core.roles import OWNER_ACTIONS
from audits.models import Audit, AuditUserObjectPermission


def sync_team_permissions(audit):
    members = {audit.lead_auditor_id, *audit.team.values_list("pk", flat=True)} - {None}
    AuditUserObjectPermission.objects.filter(content_object=audit).exclude(
        user_id__in=members
    ).delete()
    for member in audit.team.model.objects.filter(pk__in=members):
        for action in OWNER_ACTIONS:
            assign_perm(perm_name(Audit, action), member, audit)


def audit_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        sync_team_permissions(instance)


def audit_team_changed(sender, instance, action, reverse=False, pk_set=None, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # a user's audit teams changed; after a clear, pk_set is empty
        granted = AuditUserObjectPermission.objects.filter(user=instance).values("content_object")
        audits = (
            Audit.objects.filter(pk__in=pk_set) if pk_set else Audit.objects.filter(pk__in=granted)
        )
        for audit in audits:
            sync_team_permissions(audit)
    else:
        sync_team_permissions(instance)


def audit_deleted(sender, instance, **kwargs):
    from audits.internal.services import audit_programme_reopen

    if instance.programme_id:
        audit_programme_reopen(programme=instance.programme, user=None, audit=instance)


def connect():
    post_save.connect(audit_saved, sender=Audit, dispatch_uid="audit_team_permissions_on_save")
    m2m_changed.connect(
        audit_team_changed,
        sender=Audit.team.through,
        dispatch_uid="audit_team_permissions_on_team",
    )
    post_delete.connect(audit_deleted, sender=Audit, dispatch_uid="audit_deleted_reopens_programme")
