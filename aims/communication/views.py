"""Pages of communication beyond its registers: asking for and recording acknowledgements of
the AI policy (both post from the policy page and return to it)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aims.communication import services
from aims.communication.forms import AcknowledgementRequestForm
from aims.context.models import AIPolicy
from aims.core.roles import may_request_acknowledgement
from aims.core.views import refused


def policy_page(policy):
    return redirect(f"{policy.get_absolute_url()}#acknowledgements")


@login_required
@require_POST
def acknowledgement_request(request, pk):
    policy = get_object_or_404(AIPolicy.objects.restrict(request.user), pk=pk)
    if not may_request_acknowledgement(request.user):
        raise PermissionDenied
    form = AcknowledgementRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return policy_page(policy)
    try:
        services.acknowledgement_request_create(
            policy=policy,
            user=request.user,
            all_users=form.cleaned_data["all_users"],
            roles=form.cleaned_data["roles"],
        )
    except ValidationError as error:
        refused(request, error)
    else:
        messages.success(request, _("The request was sent."))
    return policy_page(policy)


@login_required
@require_POST
def policy_acknowledge(request, pk):
    policy = get_object_or_404(AIPolicy.objects.restrict(request.user), pk=pk)
    try:
        _acknowledgement, created = services.policy_acknowledge(policy=policy, user=request.user)
    except ValidationError as error:
        refused(request, error)
    else:
        if created:
            messages.success(request, _("Thank you: your acknowledgement is recorded."))
        else:
            messages.info(request, _("You had already acknowledged this version."))
    return policy_page(policy)
