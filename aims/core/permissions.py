"""The one permission layer: every view, form dropdown and export gets its objects here.

`restrict(user, action)` answers with the objects the user may see or act on: all of them when
the user's role holds the model permission, otherwise those granted to the user (or a group)
through django-guardian's object permissions, otherwise none. Views never call guardian directly.
"""

from django.contrib.auth.models import Permission
from django.db import models
from guardian.shortcuts import assign_perm, get_objects_for_user
from guardian.utils import get_user_obj_perms_model

from aims.core.roles import OWNER_ACTIONS


def perm_name(model, action):
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def has_object_permissions(model):
    """Whether the model declares guardian's direct permission tables."""
    return get_user_obj_perms_model(model).objects.is_generic() is False


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action="view"):
        if not (user.is_authenticated and user.is_active):
            return self.none()
        perm = perm_name(self.model, action)
        if user.has_perm(perm):
            return self
        parent = getattr(self.model, "scope_parent", None)
        if parent:
            # What hangs off an object (a system's model versions) is in scope with it: seen
            # with the parent, changed, added or deleted by whoever may change the parent.
            parent_model = self.model._meta.get_field(parent).related_model
            parent_action = "view" if action == "view" else "change"
            parents = parent_model._default_manager.restrict(user, parent_action)
            return self.filter(**{f"{parent}__in": parents})
        if action != "add" and has_object_permissions(self.model):
            return get_objects_for_user(
                user, perm, klass=self, with_superuser=False, accept_global_perms=False
            )
        return self.none()


def restrict_history(model, user):
    """The history rows of `model` the user may see: all of them for readers of the whole
    register, otherwise those of the entries the user may see now (a deleted entry holds no
    permission any more)."""
    history = model.history.model.objects.all()
    if user.has_perm(perm_name(model, "view")):
        return history
    return history.filter(id__in=model._default_manager.restrict(user).values("pk"))


def permits(user, action, obj):
    """May the user do `action` on `obj`? No query when their role holds the model permission."""
    model = obj._meta.model
    if user.is_authenticated and user.is_active and user.has_perm(perm_name(model, action)):
        return True
    return model._default_manager.restrict(user, action).filter(pk=obj.pk).exists()


def can(user, action, model):
    """May the user do `action` on some objects of `model` (model permission or an object's)?"""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.has_perm(perm_name(model, action)):
        return True
    parent = getattr(model, "scope_parent", None)
    if parent and action == "add":
        parent_model = model._meta.get_field(parent).related_model
        return parent_model._default_manager.restrict(user, "change").exists()
    return action != "add" and model._default_manager.restrict(user, action).exists()


def grant_owner_permissions(sender, instance, **kwargs):
    """post_save: the holder of a model's `owner_field` gets OWNER_ACTIONS on it, and only they."""
    field = getattr(sender, "owner_field", None)
    if not field or kwargs.get("raw") or not has_object_permissions(sender):
        return
    owner = getattr(instance, field)
    user_perms = get_user_obj_perms_model(sender).objects.filter(content_object=instance)
    user_perms.exclude(user=owner).delete()
    if owner is not None:
        for action in OWNER_ACTIONS:
            assign_perm(perm_name(sender, action), owner, instance)


def grant_owner_permissions_in_bulk(model, objects):
    """Bulk creation sends no post_save: give the owners of new objects their permissions."""
    field = getattr(model, "owner_field", None)
    if not field or not has_object_permissions(model):
        return
    permissions = [
        Permission.objects.get(
            content_type__app_label=model._meta.app_label,
            codename=f"{action}_{model._meta.model_name}",
        )
        for action in OWNER_ACTIONS
    ]
    owner_id = model._meta.get_field(field).attname
    table = get_user_obj_perms_model(model)
    table.objects.bulk_create(
        table(content_object=obj, user_id=owner, permission=permission)
        for obj in objects
        if (owner := getattr(obj, owner_id)) is not None
        for permission in permissions
    )
