"""What in the inventory needs attention: on the dashboard, and in My work."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aims.core.dashboard import counts
from aims.core.permissions import can
from aims.core.work import CLASSIFICATIONS, REVIEWS, Item, review_horizon, work
from aims.inventory.models import AISystem


def inventory_attention(user):
    if not can(user, "view", AISystem):
        return
    systems = AISystem.objects.restrict(user).exclude(status=AISystem.Status.DECOMMISSIONED)
    overview = reverse("inventory:dashboard")
    numbers = counts(
        {
            "overdue": systems.filter(next_review__lt=timezone.localdate()),
            "unclassified": systems.filter(classifications__isnull=True),
            "stale": systems.filter(reclassification_needed=True),
        }
    )
    if overdue := numbers["overdue"]:
        yield (
            ngettext(
                "%(count)d AI system is overdue for review.",
                "%(count)d AI systems are overdue for review.",
                overdue,
            )
            % {"count": overdue},
            overview,
        )
    if unclassified := numbers["unclassified"]:
        yield (
            ngettext(
                "%(count)d AI system has no EU AI Act classification.",
                "%(count)d AI systems have no EU AI Act classification.",
                unclassified,
            )
            % {"count": unclassified},
            overview,
        )
    if stale := numbers["stale"]:
        yield (
            ngettext(
                "%(count)d AI system needs re-classification.",
                "%(count)d AI systems need re-classification.",
                stale,
            )
            % {"count": stale},
            overview,
        )


@work.register
def inventory_work(user):
    """The user's AI systems that need classifying again or are due for review."""
    systems = AISystem.objects.restrict(user).filter(owner=user)
    for system in systems.filter(reclassification_needed=True):
        yield Item(
            CLASSIFICATIONS,
            _("Classify %(system)s again") % {"system": system},
            system.get_absolute_url(),
        )
    for system in systems.filter(next_review__lte=review_horizon()):
        yield Item(
            REVIEWS,
            _("Review the AI system %(system)s") % {"system": system},
            system.get_absolute_url(),
            system.next_review,
        )
