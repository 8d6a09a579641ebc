"""Saving register entries: stale edits refused, scope re-checked, all in one transaction."""

from django.db import transaction
from django.utils.translation import gettext as _

from aims.core.permissions import permits


class StaleEdit(Exception):
    """Someone saved the object after the user loaded the form."""

    def __init__(self, current):
        super().__init__("stale edit")
        self.current = current


class OutOfScope(Exception):
    """The saved object would fall outside what the user may see."""


class Locked(Exception):
    """The entry was locked (submitted, approved) after the user opened the form."""


def register_entry_save(*, form, user):
    """Save a bound, valid RegisterForm; return the saved object.

    Raises StaleEdit, Locked or OutOfScope; in each case nothing is written.
    """
    instance = form.instance
    model = type(instance)
    with transaction.atomic():
        if instance.pk:
            # Lock the row so that two concurrent saves cannot both pass the version check.
            current = model._default_manager.select_for_update(of=("self",)).get(pk=instance.pk)
            if current.lock_reason:
                raise Locked(current.lock_reason)
            if form.cleaned_data["loaded_version"] != current.version:
                raise StaleEdit(current)
            instance.version = current.version
        obj = form.save()
        if not permits(user, "view", obj):
            raise OutOfScope(_("You may not save this: the result would be outside your scope."))
    return obj
