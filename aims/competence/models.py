"""Competence and awareness (7.2, 7.3) and AI literacy (EU AI Act Art. 4): what competence each
AIMS role and the operators of each AI system need, the people who hold those roles or operate
those systems (with or without a portal account), and their training and qualification
records."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.models import ImportRecord, ReferencedModel, TrackedModel

SHORT_TEXT = 200
LONG_TEXT = 4000
# A record that runs out within this many days is "expiring" and reminded.
EXPIRING_DAYS = 30


def add_months(start, months):
    """The same day `months` later (the month's last day when it has fewer days)."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(start)


class CompetenceRequirement(ReferencedModel):
    """A competence the holders of some AIMS roles, or the operators of some AI systems, must
    have (7.2 a), and what counts as having it."""

    reference_prefix = "CR"
    _history_m2m_fields = ["roles", "ai_systems"]

    title = models.CharField(_("competence"), max_length=SHORT_TEXT)
    description = models.TextField(_("description"), max_length=LONG_TEXT, blank=True)
    roles = models.ManyToManyField(
        "context.AIMSRole",
        verbose_name=_("AIMS roles"),
        blank=True,
        related_name="competence_requirements",
        help_text=_("Holders of these roles need the competence."),
    )
    ai_systems = models.ManyToManyField(
        "inventory.AISystem",
        verbose_name=_("operators of AI systems"),
        blank=True,
        related_name="competence_requirements",
        help_text=_("People who operate these AI systems need the competence."),
    )
    satisfied_by = models.TextField(
        _("satisfied by"),
        max_length=LONG_TEXT,
        help_text=_(
            "Courses or qualifications that give the competence, one per line. A training "
            "record with one of these names meets the requirement."
        ),
    )
    ai_literacy = models.BooleanField(
        _("AI literacy (Art. 4)"),
        default=False,
        help_text=_("The requirement serves the AI literacy duty of the EU AI Act."),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        help_text=_(
            "How long a training counts for this requirement; empty: until the record's own "
            "valid-until date, or for good."
        ),
    )

    class Meta(ReferencedModel.Meta):
        verbose_name = _("competence requirement")
        verbose_name_plural = _("competence requirements")

    @property
    def accepted_names(self):
        """The course and qualification names that meet the requirement, compared by case."""
        return {line.strip().casefold() for line in self.satisfied_by.splitlines() if line.strip()}

    def applies_to(self, person):
        """Whether the person needs the competence: a role or an operated system named by the
        requirement (uses the prefetched relations); a requirement naming neither applies to
        everyone."""
        role_ids = {role.pk for role in self.roles.all()}
        system_ids = {system.pk for system in self.ai_systems.all()}
        if not role_ids and not system_ids:
            return True
        return bool(
            role_ids & {role.pk for role in person.roles.all()}
            or system_ids & {system.pk for system in person.ai_systems.all()}
        )


class Person(TrackedModel):
    """Someone whose competence the AIMS depends on: a portal user, or a named person without
    an account (many operators never log in)."""

    _history_m2m_fields = ["roles", "ai_systems"]

    name = models.CharField(_("name"), max_length=SHORT_TEXT)
    email = models.EmailField(_("e-mail"), max_length=SHORT_TEXT, blank=True)
    unit = models.CharField(_("organisational unit"), max_length=SHORT_TEXT, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_people",
        help_text=_("Reminded when the person's training runs out."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="competence_person",
        help_text=_("Leave empty for someone without a portal account."),
    )
    roles = models.ManyToManyField(
        "context.AIMSRole", verbose_name=_("AIMS roles held"), blank=True, related_name="people"
    )
    ai_systems = models.ManyToManyField(
        "inventory.AISystem",
        verbose_name=_("AI systems operated"),
        blank=True,
        related_name="operators",
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class TrainingImport(ImportRecord):
    """One spreadsheet of training records imported through the wizard (an HR export)."""

    class Meta(ImportRecord.Meta):
        verbose_name = _("training import")
        verbose_name_plural = _("training imports")


class TrainingRecord(TrackedModel):
    """A course attended or a qualification gained by a person (7.2 d: documented information
    as evidence of competence)."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("training")
        QUALIFICATION = "qualification", _("qualification")

    _history_m2m_fields = ["requirements"]

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="records"
    )
    course = models.CharField(
        _("course or qualification"),
        max_length=SHORT_TEXT,
        help_text=_("As named under “satisfied by” of the requirements it meets."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TRAINING)
    requirements = models.ManyToManyField(
        CompetenceRequirement,
        verbose_name=_("requirements met"),
        blank=True,
        related_name="records",
        help_text=_("Left empty, the requirements that accept the course are filled in."),
    )
    completed_on = models.DateField(_("date"))
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Empty: it does not expire.")
    )
    provider = models.CharField(_("provider"), max_length=SHORT_TEXT, blank=True)
    certificate = models.ForeignKey(
        "controls.Evidence",
        verbose_name=_("certificate"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="training_records",
    )
    source_import = models.ForeignKey(
        TrainingImport,
        verbose_name=_("imported from"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="records",
    )

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-completed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "course", "completed_on"], name="training_record_once"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("completed_on")),
                name="training_valid_after_date",
            ),
        ]

    def __str__(self):
        return f"{self.person}: {self.course} ({self.completed_on})"

    def clean(self):
        if self.valid_until and self.completed_on and self.valid_until < self.completed_on:
            raise ValidationError(
                {"valid_until": _("Valid until must not be before the date of the training.")}
            )
        if self.completed_on and self.completed_on > timezone.localdate():
            raise ValidationError({"completed_on": _("The date lies in the future.")})

    def expires_for(self, requirement):
        """The last day the record counts for the requirement, or None if it never expires."""
        ends = [self.valid_until] if self.valid_until else []
        if requirement.validity_months:
            ends.append(add_months(self.completed_on, requirement.validity_months) - timedelta(1))
        return min(ends, default=None)

    def meets(self, requirement):
        """Linked to the requirement, or named as one of the courses it accepts."""
        return requirement in self.requirements.all() or (
            self.course.strip().casefold() in requirement.accepted_names
        )
