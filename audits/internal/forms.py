"""Forms of internal audits: the programme, the audit (scope grouped as the standard is, team
independence checked), checklist items and the independence override."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.context.models import ScopeStatement
from aims.core.forms import DATE, RegisterForm, style_widgets
from aims.core.permissions import perm_name
from audits.internal.approvals import audit_plan
from audits.internal.checklist import next_position
from audits.internal.independence import find_conflicts, unaccepted
from audits.models import Audit, AuditProgramme, ChecklistItem, Clause

TEXT = forms.Textarea(attrs={"rows": 3})


class PeriodField(forms.CharField):
    """A year or a range of years: 2027, 2026–2028 (a hyphen is taken as the dash)."""

    def to_python(self, value):
        return super().to_python(value).replace("-", "–").replace(" ", "")

    def validate(self, value):
        super().validate(value)
        years = value.split("–")
        if not (
            1 <= len(years) <= 2
            and all(re.fullmatch(r"\d{4}", year) for year in years)
            and years == sorted(years)
        ):
            raise forms.ValidationError(_("Enter a year (2027) or a range of years (2026–2028)."))


class AuditProgrammeForm(RegisterForm):
    class Meta:
        model = AuditProgramme
        fields = ["title", "period", "objectives", "criteria", "methods"]
        field_classes = {"period": PeriodField}
        widgets = {"objectives": TEXT, "criteria": TEXT, "methods": TEXT}


def grouped_clauses(queryset):
    """Leaf clauses under their main clause: ("6 Planning", [(pk, "6.1.2 …"), …])."""
    mains = {c.code: c for c in Clause.objects.filter(parent=None)}
    groups = {}
    for clause in queryset.order_by("position"):
        main = mains.get(clause.main_clause)
        groups.setdefault(str(main or clause.main_clause), []).append((clause.pk, str(clause)))
    return list(groups.items())


def grouped_controls(queryset):
    """Annex A controls under their top-level objective (A.6 for A.6.2.4)."""
    groups = {}
    for control in queryset.select_related("objective__parent").order_by("position", "code"):
        objective = control.objective
        while objective is not None and objective.parent_id:
            objective = objective.parent
        groups.setdefault(str(objective or ""), []).append((control.pk, str(control)))
    return list(groups.items())


def current_units():
    scope = ScopeStatement.objects.filter(status=ScopeStatement.Status.CURRENT).first()
    return [line.strip() for line in (scope.organizational_units if scope else "").splitlines()]


class AuditForm(RegisterForm):
    class Meta:
        model = Audit
        fields = [
            "title",
            "audit_type",
            "programme",
            "clauses",
            "controls",
            "ai_systems",
            "organizational_units",
            "criteria",
            "lead_auditor",
            "team",
            "auditees",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "conclusion",
        ]
        widgets = {
            "clauses": forms.SelectMultiple(attrs={"size": 12}),
            "controls": forms.SelectMultiple(attrs={"size": 12}),
            "ai_systems": forms.CheckboxSelectMultiple,
            "team": forms.SelectMultiple(attrs={"size": 6}),
            "organizational_units": TEXT,
            "criteria": TEXT,
            "auditees": TEXT,
            "conclusion": TEXT,
            "planned_start": DATE,
            "planned_end": DATE,
            "actual_start": DATE,
            "actual_end": DATE,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        clauses, controls = self.fields["clauses"], self.fields["controls"]
        clauses.queryset = clauses.queryset.filter(leaf=True)
        controls.queryset = controls.queryset.filter(framework="iso42001")
        clauses.choices = grouped_clauses(clauses.queryset)
        controls.choices = grouped_controls(controls.queryset)
        clauses.help_text = _("Leaf clauses, grouped by main clause; hold Ctrl to choose several.")
        units = [unit for unit in current_units() if unit]
        self.fields["organizational_units"].help_text = (
            _("One per line, from the current scope statement: %(units)s.")
            % {"units": "; ".join(units)}
            if units
            else _("One per line. The current scope statement names no organizational units.")
        )
        # An approved programme changes only through its audits, which return it to draft.
        self.plan_before = audit_plan(self.instance) if self.instance.pk else None
        self.programme_before = self.instance.programme if self.instance.pk else None
        style_widgets(self)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("planned_start"), cleaned.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("The planned end cannot be before the planned start."))
        start, end = cleaned.get("actual_start"), cleaned.get("actual_end")
        if start and end and end < start:
            self.add_error("actual_end", _("The actual end cannot be before the actual start."))
        lead, team = cleaned.get("lead_auditor"), list(cleaned.get("team") or [])
        if not self.user.has_perm(perm_name(Audit, "change")) and self.user not in [lead, *team]:
            # An internal auditor writes only the audits they are on.
            self.add_error(
                "team",
                _(
                    "Name yourself as lead auditor or team member: you write only audits you "
                    "are on."
                ),
            )
        if not self.errors:
            self.check_independence(cleaned, lead, team)
        return cleaned

    def check_independence(self, cleaned, lead, team):
        found = unaccepted(
            find_conflicts(
                [lead, *team],
                ai_systems=cleaned.get("ai_systems") or (),
                clauses=(cleaned.get("clauses") or Clause.objects.none()).select_related(
                    "parent__parent"
                ),
                controls=cleaned.get("controls") or (),
            ),
            self.instance,
        )
        for conflict in found:
            field = "lead_auditor" if conflict.person == lead else "team"
            self.add_error(
                field,
                _(
                    "%(conflict)s. An auditor does not audit their own work; choose someone "
                    "else, or ask the compliance officer to record a justified override."
                )
                % {"conflict": conflict},
            )

    def save(self, commit=True):
        audit = super().save(commit)
        if commit:
            self.reopen_programmes(audit)
        return audit

    def reopen_programmes(self, audit):
        from audits.internal.services import audit_programme_reopen

        changed = self.plan_before is None or audit_plan(audit) != self.plan_before
        programmes = {self.programme_before, audit.programme} - {None}
        for programme in programmes:
            moved = programme != audit.programme or programme != self.programme_before
            if changed or moved:
                audit_programme_reopen(programme=programme, user=self.user, audit=audit)


class ChecklistItemForm(RegisterForm):
    class Meta:
        model = ChecklistItem
        fields = [
            "audit",
            "clause",
            "control",
            "ai_system",
            "question",
            "result",
            "notes",
            "sampled_risks",
            "sampled_soa_entries",
            "sampled_assessments",
            "sampled_evidence",
            "evidence",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 5}),
            "sampled_risks": forms.SelectMultiple(attrs={"size": 6}),
            "sampled_soa_entries": forms.SelectMultiple(attrs={"size": 6}),
            "sampled_assessments": forms.SelectMultiple(attrs={"size": 4}),
            "sampled_evidence": forms.SelectMultiple(attrs={"size": 6}),
            "evidence": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        audit_field = self.fields["audit"]
        # Items are written in open audits only: a closed audit is a record.
        audit_field.queryset = audit_field.queryset.exclude(status=Audit.Status.CLOSED)
        if self.instance.pk:
            audit_field.disabled = True  # an item belongs to its audit
        self.fields["clause"].queryset = self.fields["clause"].queryset.filter(leaf=True)
        self.fields["clause"].help_text = _("Leave empty for an item about a control or a system.")
        self.restrict_samples(self.chosen_audit())
        style_widgets(self)

    def chosen_audit(self):
        if self.instance.pk:
            return self.instance.audit
        key = self.data.get("audit") or self.initial.get("audit")
        if not str(key).isdigit() or len(str(key)) > 18:
            return None
        return self.fields["audit"].queryset.filter(pk=key).first()

    def restrict_samples(self, audit):
        """Where the audit has AI systems in scope, records are sampled from those systems."""
        if audit is None:
            return
        systems = list(audit.ai_systems.all())
        if not systems:
            return
        keep = {
            name: [obj.pk for obj in getattr(self.instance, name).all()] if self.instance.pk else []
            for name in ("sampled_risks", "sampled_soa_entries", "sampled_assessments")
        }
        limits = {
            "sampled_risks": Q(ai_systems__in=systems),
            "sampled_soa_entries": Q(ai_system__in=systems) | Q(ai_system=None),
            "sampled_assessments": Q(system__in=systems),
        }
        for name, condition in limits.items():
            field = self.fields[name]
            field.queryset = field.queryset.filter(condition | Q(pk__in=keep[name])).distinct()

    def save(self, commit=True):
        if not self.instance.pk:
            self.instance.position = next_position(self.instance.audit)
        return super().save(commit)


class IndependenceOverrideForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        label=gettext_lazy("People whose conflicts are accepted"),
        queryset=get_user_model().objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=gettext_lazy(
            "Their conflicts with the audit's current scope are recorded and accepted; any other "
            "conflict is refused again."
        ),
    )
    justification = forms.CharField(
        label=gettext_lazy("Justification"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Why the audit stays objective despite the conflict, e.g. no one else has the "
            "competence and a second auditor reviews the person's findings."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("last_name", "username")
        )
        style_widgets(self)
