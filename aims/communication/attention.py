"""What about communication needs attention: acknowledgements of the AI policy outstanding (on
the dashboard and in My work) and communications of the plan that are due."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from aims.communication.models import (
    CommunicationPlanItem,
    approved_policy,
    asked_users,
    pending_policy_for,
)
from aims.core.dashboard import counts
from aims.core.roles import may_request_acknowledgement
from aims.core.work import Item, review_horizon, work

ACKNOWLEDGEMENTS = gettext_lazy("Policies to acknowledge")
COMMUNICATIONS = gettext_lazy("Communications due")


def acknowledgement_url(policy):
    return f"{policy.get_absolute_url()}#acknowledgements"


def acknowledgement_attention(user):
    """The approved policy to acknowledge (as `pending_policy_for` tells) and, for whoever asks
    for acknowledgements, whether anyone is asked and how many have not acknowledged yet."""
    if not user.is_active or (policy := approved_policy()) is None:
        return
    asked = asked_users(policy)
    unacknowledged = asked.exclude(pk__in=policy.acknowledgements.values("user"))
    querysets = {"pending": unacknowledged.filter(pk=user.pk)}
    if requesting := may_request_acknowledgement(user):
        querysets |= {
            "requests": policy.acknowledgement_requests.all(),
            "outstanding": unacknowledged,
        }
    numbers = counts(querysets)
    if numbers["pending"]:
        yield (
            _("Please read and acknowledge the AI policy %(policy)s.") % {"policy": policy},
            acknowledgement_url(policy),
        )
    if not requesting:
        return
    if not numbers["requests"]:
        yield (
            _("Nobody has been asked to acknowledge the approved AI policy yet."),
            acknowledgement_url(policy),
        )
    elif count := numbers["outstanding"]:
        yield (
            ngettext(
                "%(count)d user has not yet acknowledged the AI policy.",
                "%(count)d users have not yet acknowledged the AI policy.",
                count,
            )
            % {"count": count},
            acknowledgement_url(policy),
        )


@work.register
def communication_work(user):
    """The approved policy to acknowledge, and due communications the user makes."""
    if policy := pending_policy_for(user):
        yield Item(
            ACKNOWLEDGEMENTS,
            _("Acknowledge the AI policy %(policy)s") % {"policy": policy},
            acknowledgement_url(policy),
        )
    due = CommunicationPlanItem.objects.restrict(user).filter(
        communicator=user,
        next_date__lte=review_horizon(),
        status__in=(CommunicationPlanItem.Status.PLANNED, CommunicationPlanItem.Status.ACTIVE),
    )
    for item in due:
        yield Item(
            COMMUNICATIONS,
            _("Communicate: %(item)s") % {"item": item},
            item.get_absolute_url(),
            item.next_date,
        )
