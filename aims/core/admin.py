"""Administrators manage user accounts and their roles (groups) here; nothing else.

Registers are edited in the portal only, where versions, four-eyes and history apply.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from aims.core.models import User

# Fields that would let an administrator lift themselves above the role model.
SUPERUSER_ONLY = ("is_superuser", "user_permissions")


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in SUPERUSER_ONLY]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj == request.user and not request.user.is_superuser:
            # Nobody grants themselves a role (e.g. to approve their own work).
            readonly += ["groups", "is_staff", "is_active"]
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)
