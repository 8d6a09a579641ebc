"""The control catalogues: ISO/IEC 42001 Annex A, ISO/IEC 27001:2022 Annex A and the EU AI Act
obligations as requirements, shipped as data files (controls/data), plus the organization's own
controls. Mappings between them are symmetric links."""

from django.db import models
from django.db.models import Case, When
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from aims.core.models import TrackedModel

SHORT_TEXT = 200
LONG_TEXT = 10_000


class Framework(models.TextChoices):
    ISO42001 = "iso42001", _("ISO/IEC 42001 Annex A")
    ISO27001 = "iso27001", _("ISO/IEC 27001:2022 Annex A")
    EU_AI_ACT = "eu_ai_act", _("EU AI Act")
    OWN = "own", _("Own controls")

    @classmethod
    def in_soa(cls):
        """The catalogues whose controls the Statement of Applicability lists."""
        return [cls.ISO42001, cls.OWN]

    @classmethod
    def covered(cls):
        """The catalogues the coverage view measures."""
        return [cls.ISO42001, cls.ISO27001, cls.EU_AI_ACT]

    @classmethod
    def reading_order(cls, field="framework"):
        """For order_by: the catalogues in the order declared here, ISO/IEC 42001 first (the
        stored codes sort otherwise)."""
        return Case(
            *(When(**{field: value}, then=n) for n, value in enumerate(cls.values)),
            output_field=models.IntegerField(),
        )


class Localized:
    """`localized_title` and `localized_guidance`: German where the catalogue has it."""

    @property
    def localized_title(self):
        return self._localized("title")

    @property
    def localized_guidance(self):
        return self._localized("guidance")

    @property
    def title_in_english_only(self):
        """The reader wants German but the catalogue has only the English title."""
        return translation.get_language() == "de" and not self.title_de

    def _localized(self, name):
        german = getattr(self, f"{name}_de", "")
        return german if translation.get_language() == "de" and german else getattr(self, name)


class ControlObjective(Localized, models.Model):
    """A heading of a catalogue: an Annex A objective, an ISO 27001 theme, an AI Act chapter."""

    framework = models.CharField(_("catalogue"), max_length=12, choices=Framework.choices)
    code = models.CharField(_("ID"), max_length=30)
    title = models.CharField(_("title"), max_length=SHORT_TEXT)
    title_de = models.CharField(_("German title"), max_length=SHORT_TEXT, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("control objective")
        verbose_name_plural = _("control objectives")
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="objective_code_unique")
        ]

    def __str__(self):
        return f"{self.code} {self.localized_title}"


class Control(Localized, TrackedModel):
    """A control or requirement of a catalogue. Shipped entries are read-only; the
    organization adds and edits its own."""

    framework = models.CharField(
        _("catalogue"), max_length=12, choices=Framework.choices, default=Framework.OWN
    )
    code = models.CharField(_("ID"), max_length=30, help_text=_("A short identifier, e.g. OWN-01."))
    title = models.CharField(_("title"), max_length=SHORT_TEXT)
    title_de = models.CharField(
        _("German title"),
        max_length=SHORT_TEXT,
        blank=True,
        help_text=_("Shown to readers who use the portal in German."),
    )
    guidance = models.TextField(
        _("guidance"),
        max_length=LONG_TEXT,
        blank=True,
        help_text=_("What the control asks of the organization, in your own words."),
    )
    guidance_de = models.TextField(_("German guidance"), max_length=LONG_TEXT, blank=True)
    objective = models.ForeignKey(
        ControlObjective,
        verbose_name=_("objective"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="controls",
    )
    position = models.PositiveIntegerField(default=0, editable=False)
    mappings = models.ManyToManyField(
        "self",
        verbose_name=_("mapped controls and requirements"),
        blank=True,
        help_text=_("Controls and requirements of other catalogues this control addresses."),
    )
    clauses = models.CharField(
        _("clauses of ISO/IEC 42001"),
        max_length=SHORT_TEXT,
        blank=True,
        editable=False,
        help_text=_("Clauses of the management system that also address this requirement."),
    )

    class Meta:
        verbose_name = _("control")
        verbose_name_plural = _("controls")
        ordering = ["framework", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="control_code_unique")
        ]

    def __str__(self):
        return f"{self.code} {self.localized_title}"

    @property
    def heading(self):
        """Catalogue and main objective, e.g. "ISO/IEC 42001 Annex A · A.6 AI system life
        cycle" (also for the controls of its sub-objective A.6.2)."""
        catalogue = self.get_framework_display()
        if not self.objective_id:
            return str(catalogue)
        return f"{catalogue} · {self.objective.parent or self.objective}"

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding and self.in_soa:
            # Every control of the AIMS catalogues has its organization-wide SoA entry.
            self.soa_entries.model.objects.get_or_create(control=self, ai_system=None)

    @property
    def in_soa(self):
        return self.framework in Framework.in_soa()

    @property
    def shipped(self):
        return self.framework != Framework.OWN

    @property
    def lock_reason(self):
        if self.shipped:
            return _(
                "Catalogue entries ship with the portal and are not changed here. Record how "
                "the control applies in the Statement of Applicability, or add your own control."
            )
        return ""
