"""The portal's roles and the rules that go with them.

Roles are Django groups (created by core's data migration). Which model permissions each role
holds follows from the registers' declared rules and is synchronised after every migration, so a
new register gets its permissions without a new data migration. Predicates here are the only
place that decides who may approve.
"""

from django.utils.translation import gettext_lazy as _

COMPLIANCE_OFFICER = "Compliance Officer"
AI_OFFICER = "AI Officer"
SYSTEM_OWNER = "System Owner"
AUDITOR = "Auditor"
INTERNAL_AUDITOR = "Internal Auditor"
ADMINISTRATOR = "Administrator"

ROLE_LABELS = {
    COMPLIANCE_OFFICER: _("Compliance Officer"),
    AI_OFFICER: _("AI Officer"),
    SYSTEM_OWNER: _("System Owner"),
    AUDITOR: _("Auditor"),
    INTERNAL_AUDITOR: _("Internal Auditor"),
    ADMINISTRATOR: _("Administrator"),
}
ROLES = tuple(ROLE_LABELS)

FULL = ("view", "add", "change", "delete")
READ = ("view",)

# Who may do what with a register unless the register declares otherwise.
DEFAULT_RULES = {
    ADMINISTRATOR: FULL,
    COMPLIANCE_OFFICER: FULL,
    AI_OFFICER: READ,
    SYSTEM_OWNER: READ,
    AUDITOR: READ,
    # Writes only the audits whose team they are on (object permissions, see audits).
    INTERNAL_AUDITOR: READ,
}

# Registers of records that workflows write (classifications, imports, acceptances).
READ_ONLY_RECORDS = {role: READ for role in DEFAULT_RULES}

# Owners of an object get these object permissions on it (django-guardian), whatever their role.
OWNER_ACTIONS = ("view", "change")

# Who may ask for an audit pack (it holds only what its requester may see).
REQUEST_AUDIT_PACK = "audits.add_auditpack"

# Permissions outside the registers: administrators manage user accounts; the readers of the
# AIMS request audit packs.
EXTRA_PERMISSIONS = {
    ADMINISTRATOR: (
        "core.view_user",
        "core.add_user",
        "core.change_user",
        "auth.view_group",
        REQUEST_AUDIT_PACK,
    ),
    COMPLIANCE_OFFICER: (REQUEST_AUDIT_PACK,),
    AI_OFFICER: (REQUEST_AUDIT_PACK,),
    SYSTEM_OWNER: (REQUEST_AUDIT_PACK,),
    AUDITOR: (REQUEST_AUDIT_PACK,),
    INTERNAL_AUDITOR: (REQUEST_AUDIT_PACK,),
}


def role_names(user):
    """The names of the user's roles, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_aims_roles"):
        user._aims_roles = frozenset(user.groups.values_list("name", flat=True))
    return user._aims_roles


def load_role_names(users):
    """Cache the roles of many users in one query, where `role_names` would ask one by one."""
    names = {user.pk: set() for user in users}
    through = type(users[0]).groups.through
    for user_id, name in through.objects.filter(user_id__in=names).values_list(
        "user_id", "group__name"
    ):
        names[user_id].add(name)
    for user in users:
        user._aims_roles = frozenset(names[user.pk])


def has_role(user, role):
    return role in role_names(user)


def may_override_independence(user):
    """Accepting an audit team's conflict of interest, with a justification (9.2.2)."""
    return user.is_active and bool({COMPLIANCE_OFFICER, ADMINISTRATOR} & role_names(user))


def may_request_acknowledgement(user):
    """Asking people to acknowledge the AI policy belongs to whoever keeps the AIMS running; it
    is a workflow step, not an entry of a register, so no model permission expresses it."""
    return user.is_active and bool(role_names(user) & {COMPLIANCE_OFFICER, ADMINISTRATOR})


def may_approve(user):
    """Approvals (AI policy, impact assessments, risk acceptance) belong to the AI officer;
    four-eyes and the rest of each decision live in aims.core.approvals."""
    return user.is_active and has_role(user, AI_OFFICER)


def may_verify_effectiveness(user):
    """Who checks that corrective actions worked and closes a nonconformity (10.2); the
    services add four-eyes: never someone who owns one of its actions."""
    return user.is_active and bool(
        role_names(user) & {COMPLIANCE_OFFICER, ADMINISTRATOR, INTERNAL_AUDITOR}
    )


def sync_role_permissions(sender=None, **kwargs):
    """Give each role group exactly the model permissions the registers declare."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from aims.core.registry import registry

    wanted = {role: set() for role in ROLES}
    for register in registry:
        content_type = ContentType.objects.get_for_model(register.model)
        for role, actions in register.roles.items():
            for action in actions:
                wanted[role].add((content_type.app_label, f"{action}_{register.model_name}"))
    for role, perms in EXTRA_PERMISSIONS.items():
        wanted[role].update(tuple(p.split(".", 1)) for p in perms)

    available = list(Permission.objects.select_related("content_type"))
    for role in ROLES:
        # Core's data migration creates the groups; a database flush (as transactional
        # tests do) empties them, so they are recreated here too.
        group, _created = Group.objects.get_or_create(name=role)
        perms = wanted[role]
        group.permissions.set(
            [p for p in available if (p.content_type.app_label, p.codename) in perms]
        )
