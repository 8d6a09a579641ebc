"""KPIs computed from the data of the portal's registers (9.1). Each function answers for one
period: figures with a date (decisions, closures, due dates, incidents) are taken as they stood
on the period's last day; the implementation status of the SoA has no date and is taken as it
stands when the sweep runs, right after the period ends."""

from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aims.impact.models import AssessmentDecision
from aims.inventory.models import AISystem
from aims.objectives.computed import computed_kpi, share
from audits.models import AIIncident, CorrectiveAction, Nonconformity
from controls.models import Framework, ImplementationStatus, SoAEntry
from risks.models import Risk

COUNT = ""


def systems_in_operation(period_end):
    """AI systems in the AIMS scope that existed by the period's end and are not retired."""
    return AISystem.objects.filter(in_scope=True, created_at__date__lte=period_end).exclude(
        status=AISystem.Status.DECOMMISSIONED
    )


@computed_kpi("annex_a_controls_implemented", _("Annex A controls implemented"))
def annex_a_controls_implemented(period_start, period_end):
    applicable = SoAEntry.objects.organization_wide().filter(
        control__framework=Framework.ISO42001, applicable=True
    )
    implemented = applicable.filter(status=ImplementationStatus.IMPLEMENTED)
    return share(implemented.count(), applicable.count())


@computed_kpi("ai_systems_impact_approved", _("AI systems with an approved impact assessment"))
def ai_systems_impact_approved(period_start, period_end):
    systems = systems_in_operation(period_end)
    approved = AssessmentDecision.objects.filter(
        outcome__in=(
            AssessmentDecision.Outcome.APPROVED,
            AssessmentDecision.Outcome.APPROVED_WITH_CONDITIONS,
        ),
        decided_at__date__lte=period_end,
    ).values("assessment__system")
    return share(systems.filter(pk__in=approved).count(), systems.count())


@computed_kpi("reviews_overdue", _("Overdue reviews of risks and AI systems"), COUNT, False)
def reviews_overdue(period_start, period_end):
    risks = Risk.objects.filter(next_review__lt=period_end).exclude(status=Risk.Status.CLOSED)
    systems = systems_in_operation(period_end).filter(next_review__lt=period_end)
    return Decimal(risks.count() + systems.count())


def open_nonconformities(grade, period_end):
    return Nonconformity.objects.filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=period_end),
        grade=grade,
        created_at__date__lte=period_end,
    ).count()


@computed_kpi("nonconformities_open_major", _("Open major nonconformities"), COUNT, False)
def nonconformities_open_major(period_start, period_end):
    return Decimal(open_nonconformities(Nonconformity.Grade.MAJOR, period_end))


@computed_kpi("nonconformities_open_minor", _("Open minor nonconformities"), COUNT, False)
def nonconformities_open_minor(period_start, period_end):
    return Decimal(open_nonconformities(Nonconformity.Grade.MINOR, period_end))


@computed_kpi("corrective_actions_overdue", _("Overdue corrective actions"), COUNT, False)
def corrective_actions_overdue(period_start, period_end):
    # Done after the period's end counts as still open on its last day.
    overdue = CorrectiveAction.objects.filter(due_date__lt=period_end).filter(
        Q(status__in=CorrectiveAction.OPEN) | Q(done_on__gt=period_end)
    )
    return Decimal(overdue.exclude(status=CorrectiveAction.Status.CANCELLED).count())


@computed_kpi("serious_incidents", _("Serious incidents in the period"), COUNT, False)
def serious_incidents(period_start, period_end):
    incidents = AIIncident.objects.serious().filter(
        aware_at__date__gte=period_start, aware_at__date__lte=period_end
    )
    return Decimal(incidents.count())
