"""What in the competence records needs attention on the dashboard: training gaps."""

from django.urls import reverse
from django.utils.translation import ngettext

from aims.competence.matrix import all_gaps
from aims.competence.models import CompetenceRequirement, Person
from aims.core.permissions import can


def competence_attention(user):
    if not (can(user, "view", Person) and can(user, "view", CompetenceRequirement)):
        return
    if count := len(all_gaps(user)):
        yield (
            ngettext(
                "%(count)d training gap: a required competence missing or expired.",
                "%(count)d training gaps: required competences missing or expired.",
                count,
            )
            % {"count": count},
            f"{reverse('competence:matrix')}#gaps",
        )
