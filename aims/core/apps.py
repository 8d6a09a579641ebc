from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "aims.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.db.models.signals import post_migrate, post_save
        from django.utils.module_loading import autodiscover_modules

        from aims.core import mfa, permissions, role_grants, roles, search_index, sessions
        from aims.core.registry import registry
        from aims.core.work import decisions_attention

        # Each app declares its registers in registers.py, as the admin does in admin.py, and
        # its decisions and what waits in My work in approvals.py.
        autodiscover_modules("registers")
        autodiscover_modules("approvals")
        registry.attention(decisions_attention)
        # Log-in and role-change signals.
        sessions.connect()
        mfa.connect()
        role_grants.connect()
        # post_migrate comes once per app: after the last app's, every permission exists.
        last_app = [config for config in apps.get_app_configs() if config.models_module][-1]
        post_migrate.connect(
            roles.sync_role_permissions, sender=last_app, dispatch_uid="aims-sync-roles"
        )
        post_save.connect(permissions.grant_owner_permissions, dispatch_uid="aims-owner-perms")
        # After the registers are known: every register's entries go into the global search.
        search_index.connect(self)
