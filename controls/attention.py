"""What in the controls area needs attention: on the dashboard, and in My work."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aims.core.dashboard import counts
from aims.core.permissions import can
from aims.core.work import REVIEWS, Item, review_horizon, work
from controls.models import Evidence, SoAEntry


def controls_attention(user):
    querysets = {}
    if can(user, "view", SoAEntry):
        querysets["undriven"] = SoAEntry.objects.restrict(user).without_driver()
    if can(user, "view", Evidence):
        querysets["expired"] = Evidence.objects.restrict(user).expired()
    numbers = counts(querysets)
    if count := numbers.get("undriven"):
        yield (
            ngettext(
                "%(count)d applicable control has no linked risk or requirement.",
                "%(count)d applicable controls have no linked risk or requirement.",
                count,
            )
            % {"count": count},
            f"{reverse('controls:soaentry_list')}?{urlencode({'no_driver': 'yes'})}",
        )
    if count := numbers.get("expired"):
        yield (
            ngettext(
                "%(count)d evidence item has expired.",
                "%(count)d evidence items have expired.",
                count,
            )
            % {"count": count},
            f"{reverse('controls:evidence_list')}?{urlencode({'validity': 'expired'})}",
        )


@work.register
def controls_work(user):
    """SoA entries the user owns whose review is due."""
    for entry in (
        SoAEntry.objects.restrict(user)
        .filter(owner=user, next_review__lte=review_horizon())
        .select_related("control", "ai_system")
    ):
        yield Item(
            REVIEWS,
            _("Review the SoA entry %(entry)s") % {"entry": entry},
            entry.get_absolute_url(),
            entry.next_review,
        )
