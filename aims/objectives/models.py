"""AI objectives (6.2) and the key performance indicators that measure them, with their dated
measurements (9.1). A KPI is entered by its owner or computed from the portal's own data by the
periodic sweep (see computed.py and tasks.py)."""

import calendar
import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.dates import short_date
from aims.core.models import ReferencedModel, TrackedModel, object_permission_models
from aims.core.permissions import RestrictedQuerySet
from risks.models import OBJECTIVES

SHORT_TEXT = 200
LONG_TEXT = 10_000
VALUE_DIGITS, VALUE_PLACES = 14, 4


class AIObjective(ReferencedModel):
    """An AI objective (6.2): what the organization wants to achieve, by when and how it knows."""

    reference_prefix = "OBJ"
    reference_digits = 2
    owner_field = "owner"

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        ACHIEVED = "achieved", _("Achieved")
        NOT_ACHIEVED = "not_achieved", _("Not achieved")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN = (Status.PLANNED, Status.IN_PROGRESS)

    title = models.CharField(_("objective"), max_length=SHORT_TEXT)
    annex_c_objective = models.CharField(
        _("organizational objective served"),
        max_length=30,
        choices=OBJECTIVES,
        help_text=_("The objective of Annex C.2 this AI objective contributes to."),
    )
    target = models.TextField(
        _("measurable target"),
        max_length=LONG_TEXT,
        help_text=_("What counts as achieved, stated so that it can be measured."),
    )
    actions = models.TextField(_("what will be done"), max_length=LONG_TEXT)
    resources = models.TextField(_("resources"), max_length=LONG_TEXT, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        on_delete=models.PROTECT,
        related_name="owned_ai_objectives",
    )
    due_date = models.DateField(_("due date"))
    evaluation = models.TextField(
        _("how results are evaluated"),
        max_length=LONG_TEXT,
        help_text=_("Who evaluates the results, when and against which KPIs."),
    )
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.PLANNED
    )
    ai_systems = models.ManyToManyField(
        "inventory.AISystem",
        verbose_name=_("AI systems"),
        related_name="ai_objectives",
        blank=True,
    )

    class Meta(ReferencedModel.Meta):
        verbose_name = _("AI objective")
        verbose_name_plural = _("AI objectives")

    @property
    def overdue(self):
        return self.status in self.OPEN and self.due_date < timezone.localdate()


AIObjectiveUserObjectPermission, AIObjectiveGroupObjectPermission = object_permission_models(
    AIObjective
)


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


MONTHS_PER_PERIOD = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}


def period_containing(day, frequency):
    """The measuring period (first and last day) of `frequency` that contains `day`."""
    months = MONTHS_PER_PERIOD[frequency]
    first_month = (day.month - 1) // months * months + 1
    last_month = first_month + months - 1
    start = datetime.date(day.year, first_month, 1)
    end = datetime.date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])
    return start, end


def period_before(day, frequency):
    """The last complete period before the one containing `day`."""
    start, _end = period_containing(day, frequency)
    return period_containing(start - datetime.timedelta(days=1), frequency)


class Status(models.TextChoices):
    ON_TARGET = "on_target", _("On target")
    WARNING = "warning", _("Warning")
    OFF_TARGET = "off_target", _("Off target")
    NO_DATA = "no_data", _("No data")


HIGHER, LOWER = Q(higher_is_better=True), Q(higher_is_better=False)
# The status of a KPI's latest measurement as a query (on a queryset `with_latest()`).
STATUS_QUERIES = {
    Status.ON_TARGET: (HIGHER & Q(latest_value__gte=F("target")))
    | (LOWER & Q(latest_value__lte=F("target"))),
    Status.WARNING: (
        HIGHER & Q(latest_value__lt=F("target"), latest_value__gte=F("warning_threshold"))
    )
    | (LOWER & Q(latest_value__gt=F("target"), latest_value__lte=F("warning_threshold"))),
    Status.OFF_TARGET: (HIGHER & Q(latest_value__lt=F("warning_threshold")))
    | (LOWER & Q(latest_value__gt=F("warning_threshold"))),
    Status.NO_DATA: Q(latest_value__isnull=True),
}


def latest_measurement(field):
    return Subquery(
        Measurement.objects.filter(kpi=OuterRef("pk")).order_by("-period_start").values(field)[:1]
    )


class KPIQuerySet(RestrictedQuerySet):
    def with_latest(self):
        """Annotate the latest measurement's value and period, for lists without a query a row."""
        return self.annotate(
            latest_value=latest_measurement("value"),
            latest_period_start=latest_measurement("period_start"),
        )

    def off_target(self):
        """KPIs whose latest measurement is beyond the warning threshold."""
        return self.with_latest().filter(STATUS_QUERIES[Status.OFF_TARGET])

    def entered(self):
        return self.filter(kind=KPI.Kind.ENTERED)

    def computed(self):
        return self.filter(kind=KPI.Kind.COMPUTED)


class KPI(ReferencedModel):
    """A key performance indicator (9.1): what is measured, how, and what value is good."""

    reference_prefix = "KPI"
    reference_digits = 2
    owner_field = "owner"

    class Kind(models.TextChoices):
        ENTERED = "entered", _("Entered by the owner")
        COMPUTED = "computed", _("Computed from the portal's data")

    name = models.CharField(_("name"), max_length=SHORT_TEXT)
    definition = models.TextField(_("what is measured"), max_length=LONG_TEXT)
    method = models.TextField(_("method of measurement"), max_length=LONG_TEXT, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    higher_is_better = models.BooleanField(
        _("higher is better"),
        default=True,
        help_text=_("Clear this when a lower value is better (e.g. complaints, overdue items)."),
    )
    target = models.DecimalField(_("target"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    warning_threshold = models.DecimalField(
        _("warning threshold"),
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        help_text=_(
            "Between the target and this value the KPI shows a warning; beyond it the KPI is off "
            "target."
        ),
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("KPI owner"),
        on_delete=models.PROTECT,
        related_name="owned_kpis",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ENTERED)
    computed = models.CharField(
        _("computed from"),
        max_length=60,
        blank=True,
        help_text=_("For a computed KPI: which of the portal's figures is measured."),
    )
    objectives = models.ManyToManyField(
        AIObjective, verbose_name=_("AI objectives"), related_name="kpis", blank=True
    )

    objects = KPIQuerySet.as_manager()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")

    def clean(self):
        from aims.objectives.computed import computed_kpis

        errors = {}
        if self.kind == self.Kind.COMPUTED and self.computed not in computed_kpis():
            errors["computed"] = _("Choose the figure a computed KPI is computed from.")
        if self.kind == self.Kind.ENTERED and self.computed:
            errors["computed"] = _("An entered KPI is not computed from the portal's data.")
        if self.target is not None and self.warning_threshold is not None:
            if self.higher_is_better and self.warning_threshold > self.target:
                errors["warning_threshold"] = _(
                    "When higher is better, the warning threshold is at or below the target."
                )
            if not self.higher_is_better and self.warning_threshold < self.target:
                errors["warning_threshold"] = _(
                    "When lower is better, the warning threshold is at or above the target."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def is_computed(self):
        return self.kind == self.Kind.COMPUTED

    def status_of(self, value):
        """The status a value has against the target and the warning threshold."""
        if value is None:
            return Status.NO_DATA
        value = Decimal(value)
        sign = 1 if self.higher_is_better else -1
        if sign * value >= sign * self.target:
            return Status.ON_TARGET
        if sign * value >= sign * self.warning_threshold:
            return Status.WARNING
        return Status.OFF_TARGET

    def status(self, measurement=None):
        """The status of a measurement, by default the latest one."""
        if measurement is None:
            if hasattr(self, "latest_value"):
                return self.status_of(self.latest_value)
            measurement = self.latest_measurement
        return self.status_of(measurement.value if measurement else None)

    @property
    def current_status(self):
        return self.status()

    @property
    def current_status_label(self):
        return Status(self.current_status).label

    @property
    def latest_measurement(self):
        if "measurements" in getattr(self, "_prefetched_objects_cache", {}):
            # A list prefetched them: no query a row.
            return max(self.measurements.all(), key=lambda m: m.period_start, default=None)
        return self.measurements.order_by("-period_start").first()

    def period_due(self, today=None):
        """The last complete period, which should have its measurement by now."""
        return period_before(today or timezone.localdate(), self.frequency)

    def measurement_due(self, today=None):
        """Whether the last complete period of an entered KPI has no measurement yet."""
        if self.is_computed:
            return False
        start, _end = self.period_due(today)
        return not self.measurements.filter(period_start=start).exists()

    @property
    def delete_refusal(self):
        # Measurements are the record 9.1 asks to keep: they outlive no KPI.
        if self.pk and self.measurements.exists():
            return _("This KPI has measurements on record and cannot be deleted.")
        return super().delete_refusal


KPIUserObjectPermission, KPIGroupObjectPermission = object_permission_models(KPI)


class Measurement(TrackedModel):
    """One dated result of a KPI for a period (9.1), entered or computed."""

    scope_parent = "kpi"

    kpi = models.ForeignKey(
        KPI, verbose_name=_("KPI"), on_delete=models.CASCADE, related_name="measurements"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    value = models.DecimalField(_("value"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    comment = models.TextField(_("comment"), max_length=LONG_TEXT, blank=True)
    evidence = models.ForeignKey(
        "controls.Evidence",
        verbose_name=_("evidence"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kpi_measurements",
    )

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["kpi__reference", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "period_start"], name="objectives_one_measurement_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="objectives_measurement_period_order",
            ),
        ]

    def __str__(self):
        value = Decimal(self.value).normalize()
        return f"{self.kpi.reference} {short_date(self.period_start)}: {value:f}"

    @property
    def status(self):
        return self.kpi.status(self)

    @property
    def lock_reason(self):
        if self.kpi.is_computed:
            return _("The portal computes this measurement; it is not changed by hand.")
        return ""

    def clean(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period ends on or after its start.")})
