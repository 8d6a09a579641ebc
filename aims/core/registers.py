"""Core's own navigation entries (its registers are the apps')."""

from django.utils.translation import gettext_lazy as _

from aims.core.activity import READ_ACTIVITY
from aims.core.registry import registry

registry.add_link("audits", _("Activity log"), "core:activity", READ_ACTIVITY)
# Administrators only (the page checks the role): the permission only their role holds.
registry.add_link("audits", _("Export everything"), "core:archive_export", "core.change_user")
