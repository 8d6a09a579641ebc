"""Forms of the inventory registers and the classification questionnaire."""

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aims.core.forms import DATE, RegisterForm, style_widgets
from aims.core.reviews import NEXT_REVIEW_HELP
from aims.inventory import classification
from aims.inventory.models import AIActObligation, AISystem, Dataset, ModelVersion, ThirdParty

# The relationships of a third party that supplies the organization.
SUPPLYING = (ThirdParty.Relationship.SUPPLIER, ThirdParty.Relationship.BOTH)


class AISystemForm(RegisterForm):
    """The system and who supplies it: the suppliers are the third parties that name the system
    (`ThirdParty.systems`); a supplier not in the register yet is added from here."""

    suppliers = forms.ModelMultipleChoiceField(
        label=_("suppliers"),
        queryset=ThirdParty.objects.filter(relationship__in=SUPPLYING),
        required=False,
        help_text=_("Third parties that supply this system (A.10)."),
    )
    new_supplier = forms.CharField(
        label=_("new supplier"),
        max_length=ThirdParty._meta.get_field("name").max_length,
        required=False,
        help_text=_(
            "A supplier not yet in the register: saved, it is added to the third parties "
            "(due diligence not started)."
        ),
    )

    class Meta:
        model = AISystem
        fields = [
            "reference",
            "name",
            "purpose",
            "foreseeable_misuse",
            "area_of_use",
            "business_unit",
            "owner",
            "owner_name",
            "owner_email",
            "lifecycle_stage",
            "status",
            "ai_act_roles",
            "deployment_environment",
            "suppliers",
            "new_supplier",
            "geography",
            "automation_level",
            "human_oversight",
            "affected_persons",
            "vulnerable_groups",
            "personal_data",
            "special_category_data",
            "in_scope",
            "review_cadence_months",
            "next_review",
        ]
        widgets = {"next_review": DATE}
        help_texts = {"next_review": NEXT_REVIEW_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        suppliers = self.fields["suppliers"]
        suppliers.queryset = suppliers.queryset.order_by("name")
        if self.instance.pk:
            suppliers.initial = list(suppliers.queryset.filter(systems=self.instance))
        # Naming a supplier changes the third party's entry: the third parties' keepers only.
        if not self.user.has_perm("inventory.change_thirdparty"):
            suppliers.disabled = True
        if not self.user.has_perm("inventory.add_thirdparty"):
            del self.fields["new_supplier"]

    def clean_new_supplier(self):
        name = self.cleaned_data["new_supplier"].strip()
        if name and ThirdParty.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(
                _("This third party is in the register already; choose it under suppliers.")
            )
        return name

    def save(self, commit=True):
        with transaction.atomic():
            system = super().save(commit)
            if commit:
                self.save_suppliers(system)
        return system

    def save_suppliers(self, system):
        """Link the chosen suppliers, unlink the others, add the new one; each change is kept
        in the third party's history under the user's name."""
        field = self.fields["suppliers"]
        changes = []
        if not field.disabled:
            chosen = set(self.cleaned_data["suppliers"])
            current = set(field.queryset.filter(systems=system))
            changes += [(party, "add") for party in chosen - current]
            changes += [(party, "remove") for party in current - chosen]
        if name := self.cleaned_data.get("new_supplier"):
            party = ThirdParty(
                name=name,
                relationship=ThirdParty.Relationship.SUPPLIER,
                due_diligence=ThirdParty.DueDiligence.NOT_STARTED,
            )
            party._history_user = self.user
            party.save()
            changes.append((party, "add"))
        for party, change in changes:
            party._history_user = self.user
            getattr(party.systems, change)(system)


class ModelVersionForm(RegisterForm):
    run_url = forms.URLField(
        label=ModelVersion._meta.get_field("run_url").verbose_name,
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=ModelVersion._meta.get_field("run_url").help_text,
    )

    class Meta:
        model = ModelVersion
        fields = [
            "system",
            "version_label",
            "release_date",
            "training_data_snapshot",
            "key_metrics",
            "run_url",
            "release_approved_by",
            "release_approved_on",
            "change_summary",
        ]
        widgets = {"release_date": DATE, "release_approved_on": DATE}


class DatasetForm(RegisterForm):
    class Meta:
        model = Dataset
        fields = [
            "reference",
            "name",
            "source",
            "acquisition",
            "provenance",
            "licence",
            "personal_data",
            "quality_checks",
            "quality_results",
            "preparation",
            "systems",
        ]


class ThirdPartyForm(RegisterForm):
    class Meta:
        model = ThirdParty
        fields = [
            "reference",
            "name",
            "relationship",
            "delivers",
            "responsibilities",
            "due_diligence",
            "review_date",
            "systems",
        ]
        widgets = {"review_date": DATE}


class AIActObligationForm(RegisterForm):
    class Meta:
        model = AIActObligation
        fields = [
            "code",
            "article",
            "title",
            "title_de",
            "condition",
            "roles",
            "application_date",
            "date_source",
            "note",
        ]
        widgets = {"application_date": DATE}


YES_NO = [(True, _("Yes")), (False, _("No"))]


def yes_no(label, help_text=""):
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
    )


class QuestionnaireStep(forms.Form):
    """One step of the classification questionnaire.

    `asked_when` maps a field to a test on the answers given so far: a question that cannot
    apply on the path taken is not asked (no FLOPs question without a general-purpose model).
    """

    asked_when = {}

    def __init__(self, *args, answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.skipped(answers or {}):
            del self.fields[name]
        style_widgets(self)

    @classmethod
    def skipped(cls, answers):
        return [name for name, asked in cls.asked_when.items() if not asked(answers)]

    @classmethod
    def asked(cls, answers):
        """The names of the questions this step asks, given the answers so far."""
        skipped = cls.skipped(answers)
        return [name for name in cls.base_fields if name not in skipped]


def in_area(*areas):
    return lambda answers: answers.get("annex_iii_area") in areas


class ProhibitedStep(QuestionnaireStep):
    title = _("Prohibited practices (Art. 5)")
    prohibited = forms.MultipleChoiceField(
        label=_("Does the system do any of these?"),
        help_text=_("Leave all unticked if none applies."),
        choices=classification.PROHIBITED_PRACTICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class AnnexIStep(QuestionnaireStep):
    title = _("Products under EU harmonisation law (Art. 6(1), Annex I)")
    annex_i_product = yes_no(
        _(
            "Is the system a product, or a safety component of a product, covered by Annex I "
            "legislation that needs a third-party conformity assessment?"
        ),
        _("For example machinery, medical devices, toys, lifts or vehicles."),
    )


class AnnexIIIStep(QuestionnaireStep):
    title = _("High-risk areas (Art. 6(2), Annex III)")
    annex_iii_area = forms.ChoiceField(
        label=_("Is the system used in one of these areas?"),
        choices=[("", _("None of these")), *classification.ANNEX_III_AREAS],
        required=False,
        widget=forms.RadioSelect,
    )


class AnnexIIIScopeStep(QuestionnaireStep):
    """What the area itself leaves out (Annex III, points 1(a) and 5(b)) and what decides the
    FRIA in essential services (points 5(b) and 5(c))."""

    title = _("Scope of the area (Annex III)")
    asked_when = {
        "biometric_verification_only": in_area("biometrics"),
        "financial_fraud_only": in_area("essential_services"),
        "credit_or_insurance": in_area("essential_services"),
    }
    AREAS = ("biometrics", "essential_services")

    biometric_verification_only = yes_no(
        _(
            "Is its only biometric use to verify that a person is who they claim to be (1:1 "
            "verification, such as unlocking a device with a face)?"
        ),
        _(
            "Biometric verification is excluded from Annex III, point 1(a). Identifying people "
            "among many (1:n), recognising emotions or categorising people is not."
        ),
    )
    financial_fraud_only = yes_no(
        _("Is the system used only to detect financial fraud, such as fraudulent claims?"),
        _(
            "Detecting financial fraud is excluded from Annex III, point 5(b): such a system is "
            "not high-risk in this area, even when it scores people."
        ),
    )
    credit_or_insurance = yes_no(
        _("Does it assess creditworthiness, or risks and prices in life or health insurance?"),
        _("Then deployers must carry out a fundamental rights impact assessment (Art. 27)."),
    )


class ExemptionStep(QuestionnaireStep):
    title = _("Exemptions (Art. 6(3))")
    asked_when = {
        # Art. 27 leaves out critical infrastructure: whether we are a public body cannot matter.
        "public_body": lambda answers: answers.get("annex_iii_area") != "critical_infrastructure",
    }

    exemptions = forms.MultipleChoiceField(
        label=_("Does the system only do one of these?"),
        help_text=_("Leave all unticked if none applies."),
        choices=classification.EXEMPTIONS_6_3,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    profiling = yes_no(
        _("Does the system profile natural persons?"),
        _(
            "Profiling means evaluating personal aspects such as work performance, reliability "
            "or behaviour. A system that profiles is always high-risk in these areas."
        ),
    )
    public_body = yes_no(_("Are we a public body, or do we provide a public service with it?"))


class TransparencyStep(QuestionnaireStep):
    title = _("Transparency and general-purpose AI (Art. 50, 51–55)")
    interacts_with_people = yes_no(_("Does the system interact directly with people?"))
    synthetic_content = yes_no(_("Does it generate synthetic audio, images, video or text?"))
    emotion_or_biometric = yes_no(
        _("Does it recognise emotions or categorise people by biometric data?")
    )
    deepfake_or_public_text = yes_no(
        _("Does it produce deepfakes, or text published to inform the public?")
    )
    gpai = yes_no(_("Is it, or is it built as, a general-purpose AI model that we provide?"))
    becomes_provider = yes_no(
        _(
            "Do we put our name on a high-risk system, modify it substantially, or change its "
            "purpose so that it becomes high-risk?"
        ),
        _("Then we take on the provider's obligations (Art. 25)."),
    )


class SystemicRiskStep(QuestionnaireStep):
    """Asked only of a general-purpose AI model (Art. 51)."""

    title = _("General-purpose AI model with systemic risk (Art. 51)")
    gpai_systemic = yes_no(
        _("Was that model trained with more than 10^25 floating-point operations?"),
        _("A model above this amount of training compute is presumed to have systemic risk."),
    )
