"""Administrators manage user accounts, their roles (groups) and API tokens here; nothing else.

Registers are edited in the portal only, where versions, four-eyes and history apply. Role
changes follow the rules of aims.core.role_grants: recorded, told to the compliance officers, no
approval role for oneself, and the AI Officer role for an administrator only with a second
administrator's confirmation.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aims.core import role_grants
from aims.core.models import ApiToken, RoleChange, RoleGrantRequest, SingleSignOnIdentity, User
from aims.core.roles import COMPLIANCE_OFFICER, has_role

# Fields that would let an administrator lift themselves above the role model.
SUPERUSER_ONLY = ("is_superuser", "user_permissions")


class SingleSignOnIdentityInline(admin.TabularInline):
    """Which provider account a user logs in with; written by the log-in only."""

    model = SingleSignOnIdentity
    fields = readonly_fields = ("issuer", "subject", "created_at", "last_login_at")
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return True  # shown on the user's page, which only user administrators reach

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [SingleSignOnIdentityInline]

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

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class RoleCheckedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                self.pending_roles = []
                if "groups" not in cleaned:
                    return cleaned
                before = set()
                if self.instance.pk:
                    before = set(self.instance.groups.values_list("name", flat=True))
                after = {group.name for group in cleaned["groups"]}
                added = after - before
                try:
                    role_grants.check_grant(actor=request.user, user=self.instance, roles=added)
                except ValidationError as error:
                    self.add_error("groups", error)
                    return cleaned
                self.pending_roles = role_grants.held_for_confirmation(before=before, after=after)
                if self.pending_roles:
                    cleaned["groups"] = cleaned["groups"].exclude(name__in=self.pending_roles)
                return cleaned

        return RoleCheckedForm

    def save_related(self, request, form, formsets, change):
        with role_grants.acting(request.user):
            super().save_related(request, form, formsets, change)
        for role in getattr(form, "pending_roles", []):
            role_grants.role_grant_request(user=form.instance, role=role, requested_by=request.user)
            messages.warning(
                request,
                _(
                    "The %(role)s role for %(user)s takes effect when a second administrator "
                    "confirms it under Role grant requests."
                )
                % {"role": role_grants.role_label(role), "user": form.instance},
            )

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, unquote(id))
        if user is not None and not role_grants.may_set_password(actor=request.user, user=user):
            messages.error(
                request,
                _("Only %(user)s sets the password of an AI officer's account.") % {"user": user},
            )
            return HttpResponseRedirect(reverse("admin:core_user_change", args=[user.pk]))
        return super().user_change_password(request, id, form_url)


def _may_read_role_records(user):
    return role_grants.is_administrator(user) or has_role(user, COMPLIANCE_OFFICER)


@admin.register(RoleChange)
class RoleChangeAdmin(admin.ModelAdmin):
    """Who granted or removed which role for whom, and when: read only."""

    list_display = ("changed_at", "changed_by", "user", "role", "action")
    list_filter = ("action", "role")
    search_fields = ("user__username", "changed_by__username", "role")
    list_select_related = ("changed_by", "user")

    def has_module_permission(self, request):
        return _may_read_role_records(request.user)

    def has_view_permission(self, request, obj=None):
        return _may_read_role_records(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoleGrantRequest)
class RoleGrantRequestAdmin(admin.ModelAdmin):
    """Grants waiting for a second administrator, confirmed with the "Confirm" action."""

    list_display = ("requested_at", "user", "role", "requested_by", "confirmed_by", "confirmed_at")
    list_select_related = ("user", "requested_by", "confirmed_by")
    actions = ["confirm"]

    def has_module_permission(self, request):
        return _may_read_role_records(request.user)

    def has_view_permission(self, request, obj=None):
        return _may_read_role_records(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A pending request may be withdrawn; a confirmed one stays as the record.
        return role_grants.is_administrator(request.user) and (obj is None or obj.pending)

    def has_confirm_permission(self, request):
        return role_grants.is_administrator(request.user)

    @admin.action(description=_("Confirm the selected role grants"), permissions=["confirm"])
    def confirm(self, request, queryset):
        for grant in queryset:
            try:
                role_grants.role_grant_confirm(grant=grant, user=request.user)
            except PermissionDenied as refusal:
                messages.error(request, str(refusal))
            except ValidationError as refusal:
                messages.error(request, " ".join(refusal.messages))
            else:
                messages.success(
                    request,
                    _("%(user)s now holds the %(role)s role.")
                    % {"user": grant.user, "role": role_grants.role_label(grant.role)},
                )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every user's API tokens, for administrators: read only but for revoking, which is final
    (an action, so that a revocation can be neither undone nor dated ahead). The token's hash
    is never shown."""

    list_display = (
        "name",
        "user",
        "key_id",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "status",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "key_id", "user__username")
    list_select_related = ("user",)
    fields = ("user", "name", "key_id", "created_at", "last_used_at", "expires_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    @admin.display(description=_("status"))
    def status(self, obj):
        return obj.status().label

    def has_module_permission(self, request):
        return role_grants.is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return role_grants.is_administrator(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        return role_grants.is_administrator(request.user)

    @admin.action(description=_("Revoke the selected API tokens"), permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoke()
            revoked += 1
        messages.success(
            request,
            ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", revoked)
            % {"count": revoked},
        )
