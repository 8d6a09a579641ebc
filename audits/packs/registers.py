"""The audit packs page in the navigation, for everybody who may request a pack."""

from django.utils.translation import gettext_lazy as _

from aims.core.registry import registry
from aims.core.roles import REQUEST_AUDIT_PACK

registry.add_link("audits", _("Audit packs"), "audits:pack_list", REQUEST_AUDIT_PACK)
