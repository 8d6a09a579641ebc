"""What in the controls area needs attention on the dashboard."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from aims.core.permissions import can
from controls import services
from controls.models import Evidence, SoAEntry, SoAVersion


def controls_attention(user):
    if can(user, "view", SoAVersion):
        awaiting = SoAVersion.objects.filter(status=SoAVersion.Status.AWAITING_APPROVAL).first()
        if awaiting and not services.soa_approval_refusal(user, awaiting):
            yield (
                _("Version %(number)s of the Statement of Applicability awaits your approval.")
                % {"number": awaiting.number},
                awaiting.get_absolute_url(),
            )
    if can(user, "view", SoAEntry):
        register = reverse("controls:soaentry_list")
        entries = SoAEntry.objects.restrict(user)
        if count := entries.without_driver().count():
            yield (
                _("%(count)d applicable controls have no linked risk or requirement.")
                % {"count": count},
                f"{register}?{urlencode({'no_driver': 'yes'})}",
            )
    if can(user, "view", Evidence) and (count := Evidence.objects.restrict(user).expired().count()):
        yield (
            _("%(count)d evidence items have expired.") % {"count": count},
            f"{reverse('controls:evidence_list')}?{urlencode({'validity': 'expired'})}",
        )
