"""What in the inventory needs attention, for the dashboard."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.core.permissions import can
from aims.inventory.models import AISystem


def inventory_attention(user):
    if not can(user, "view", AISystem):
        return
    systems = AISystem.objects.restrict(user).exclude(status=AISystem.Status.DECOMMISSIONED)
    overview = reverse("inventory:dashboard")
    overdue = systems.filter(next_review__lt=timezone.localdate()).count()
    if overdue:
        yield _("%(count)d AI systems are overdue for review.") % {"count": overdue}, overview
    unclassified = systems.filter(classifications__isnull=True).count()
    if unclassified:
        yield (
            _("%(count)d AI systems have no EU AI Act classification.") % {"count": unclassified},
            overview,
        )
    stale = systems.filter(reclassification_needed=True).count()
    if stale:
        yield _("%(count)d AI systems need re-classification.") % {"count": stale}, overview
