"""The activity log: every change to every register the reader may see, newest first, on one
page with filters and CSV/XLSX export (7.5.3: changes to documented information are traceable).

The rows come from one query — a UNION ALL of the registers' history tables, each restricted
by `restrict_history` — plus one count; who changed which fields is worked out for the rows of
one page only, with a constant number of queries per register on the page.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import CharField, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.core import display, exports, pickers
from aims.core.forms import DATE, restrict_choices, style_widgets
from aims.core.permissions import restrict_history
from aims.core.registry import registry
from aims.core.roles import REQUEST_AUDIT_PACK

ACTIONS = {"+": gettext_lazy("created"), "~": gettext_lazy("changed"), "-": gettext_lazy("deleted")}
# Rows of the export worked out at a time: the field changes of a chunk are held in memory.
EXPORT_CHUNK = 500
# Whoever may ask for an audit pack, whose change log this page shows live, reads the log.
READ_ACTIVITY = REQUEST_AUDIT_PACK


def logged_registers():
    """The registers that keep a history, in a fixed order: a row names its register by index."""
    return [register for register in registry if hasattr(register.model, "history")]


def system_model():
    return apps.get_model(settings.AIMS_SYSTEM_MODEL)


def system_path(model):
    """The lookup from an entry of `model` to its AI systems ("pk" for the systems themselves):
    its own foreign key or many-to-many field to the AI system, else the path of the entry it
    belongs to (`scope_parent`); None for what belongs to the whole AIMS."""
    target = system_model()
    if model is target:
        return "pk"
    for field in model._meta.get_fields():
        forward = (field.many_to_one and field.concrete) or (
            field.many_to_many and not field.auto_created
        )
        if forward and field.related_model is target:
            return field.name
    parent = getattr(model, "scope_parent", None)
    if parent:
        inner = system_path(model._meta.get_field(parent).related_model)
        if inner:
            return parent if inner == "pk" else f"{parent}__{inner}"
    return None


def of_system(history, model, system):
    """The history rows of the entries of `system`. A foreign key the history keeps is read as
    it was then (a deleted entry still counts); a many-to-many link as it is now."""
    path = system_path(model)
    if path == "pk":
        return history.filter(id=system.pk)
    head = path.split("__")[0]
    kept = {f.name for f in history.model._meta.concrete_fields if f.many_to_one}
    if head in kept:
        return history.filter(**{path: system})
    return history.filter(id__in=model._base_manager.filter(**{path: system}).values("pk"))


class ActivityFilterForm(forms.Form):
    picker_route = ("core:pick_form", ["activity"])  # long dropdowns search there
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DATE)
    user = forms.ModelChoiceField(
        label=gettext_lazy("Who"), queryset=get_user_model().objects.none(), required=False
    )
    register = forms.ChoiceField(label=gettext_lazy("Register"), required=False)
    ai_system = forms.ModelChoiceField(
        label=gettext_lazy("AI system"), queryset=None, required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Former colleagues' changes stay in the log: every account, active or not.
        self.fields["user"].queryset = get_user_model().objects.order_by("last_name", "username")
        self.fields["register"].choices = [("", "---------")] + sorted(
            (
                (register.label, capfirst(register.verbose_name_plural))
                for register in logged_registers()
            ),
            key=lambda choice: str(choice[1]),
        )
        self.fields["ai_system"].queryset = system_model()._default_manager.order_by("reference")
        restrict_choices({"ai_system": self.fields["ai_system"]}, user)
        style_widgets(self)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


@pickers.form_source("activity")
def activity_filter(request):
    if not request.user.has_perm(READ_ACTIVITY):
        raise Http404
    return ActivityFilterForm(user=request.user)


def register_rows(index, register, user, filters):
    """One register's part of the union: its history rows the user may see that match the
    filters, as the same columns for every register."""
    model = register.model
    history = restrict_history(model, user)
    if filters.get("date_from"):
        history = history.filter(history_date__gte=day_start(filters["date_from"]))
    if filters.get("date_to"):
        history = history.filter(history_date__lt=day_start(filters["date_to"] + timedelta(1)))
    if filters.get("user"):
        history = history.filter(history_user=filters["user"])
    if filters.get("ai_system"):
        history = of_system(history, model, filters["ai_system"])
    names = {f.name for f in model._meta.concrete_fields}

    def text(name):
        # A literal typed as text, so that PostgreSQL unites it with the other parts' columns.
        return F(name) if name in names else Cast(Value(""), CharField())

    return history.order_by().values(
        log_register=Value(index, IntegerField()),
        log_history=F("history_id"),
        log_entry=F("id"),
        log_at=F("history_date"),
        log_type=F("history_type"),
        log_user=F("history_user_id"),
        log_reference=text("reference"),
        log_title=text("title" if "title" in names else "name"),
    )


def day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def activity(user, filters):
    """The log's rows (dicts of the union's columns), newest first: one query when sliced."""
    registers = logged_registers()
    wanted = filters.get("register")
    parts = [
        register_rows(index, register, user, filters)
        for index, register in enumerate(registers)
        if (not wanted or register.label == wanted)
        and (not filters.get("ai_system") or system_path(register.model))
    ]
    if not parts:
        return registers[0].model.history.none().values("history_id")
    return parts[0].union(*parts[1:], all=True).order_by("-log_at", "-log_register", "-log_history")


def describe(rows, user):
    """The log's entries for these rows: who, what, which entry (a link while the user may still
    open it) and the fields a change changed, old → new."""
    registers = logged_registers()
    groups = defaultdict(list)
    for row in rows:
        groups[row["log_register"]].append(row)
    people = get_user_model()._base_manager.in_bulk({row["log_user"] for row in rows} - {None})
    details = {}
    values = RelatedValues()
    for index, group in groups.items():
        details[index] = RegisterPage(registers[index], group, user, values)
    values.load()
    entries = []
    for row in rows:
        page = details[row["log_register"]]
        person = people.get(row["log_user"])
        entries.append(
            {
                "when": row["log_at"],
                "who": str(person) if person else _("system"),
                "action": ACTIONS.get(row["log_type"], row["log_type"]),
                "register": capfirst(page.register.model._meta.verbose_name),
                "entry": page.label(row),
                "url": page.url(row),
                "changes": page.changes(row, values),
            }
        )
    return entries


class RelatedValues:
    """Foreign keys of the page's history rows, read with one query per related model."""

    def __init__(self):
        self.wanted = defaultdict(set)
        self.objects = {}

    def want(self, field, value):
        if field.is_relation and value is not None:
            self.wanted[field.related_model].add(value)

    def load(self):
        for model, pks in self.wanted.items():
            related = [f.name for f in model._meta.concrete_fields if f.many_to_one]
            found = model._base_manager.select_related(*related).in_bulk(pks)
            self.objects.update({(model, pk): obj for pk, obj in found.items()})

    def readable(self, field, value):
        if field.is_relation and value is not None:
            value = self.objects.get((field.related_model, value), f"#{value}")
        return display.display_value(field, value)


class RegisterPage:
    """What the page needs of one register's rows: the history records and the ones before
    them (one query), the entries the user may still open (one query), and the linked entries of
    many-to-many fields (two queries per field, through `display.linked`)."""

    def __init__(self, register, rows, user, values):
        self.register = register
        model = register.model
        history = model.history.model
        ids = [row["log_history"] for row in rows]
        before = (
            history.objects.filter(id=OuterRef("id"))
            .filter(
                Q(history_date__lt=OuterRef("history_date"))
                | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
            )
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        previous_ids = (
            history.objects.filter(history_id__in=ids)
            .annotate(before=Subquery(before))
            .values("before")
        )
        records = history.objects.filter(Q(history_id__in=ids) | Q(history_id__in=previous_ids))
        self.records = {record.history_id: record for record in records}
        self.previous = {}
        last = {}
        for record in sorted(self.records.values(), key=lambda r: (r.history_date, r.history_id)):
            self.previous[record.history_id] = last.get(record.id)
            last[record.id] = record
        self.fields = display.tracked_fields(model)
        # A change whose earlier state is gone (history pruned, or an entry dated back before
        # its creation) has nothing to compare with.
        changed = [
            self.records[i]
            for i in ids
            if self.records[i].history_type == "~" and self.previous[i] is not None
        ]
        self.links = display.linked(
            changed + [self.previous[r.history_id] for r in changed], history
        )
        for record in changed:
            for field, old, new in self.differences(record):
                values.want(field, old)
                values.want(field, new)
        visible = model._default_manager.restrict(user).filter(
            pk__in={r["log_entry"] for r in rows}
        )
        self.visible = {entry.pk: entry for entry in display.named(visible)}

    def differences(self, record):
        previous = self.previous[record.history_id]
        return [
            (field, old, new)
            for field in self.fields
            if (old := getattr(previous, field.attname)) != (new := getattr(record, field.attname))
        ]

    def changes(self, row, values):
        record = self.records[row["log_history"]]
        previous = self.previous[record.history_id]
        if record.history_type != "~" or previous is None:
            return []
        changes = [
            (field.verbose_name, values.readable(field, old), values.readable(field, new))
            for field, old, new in self.differences(record)
        ]
        for field in getattr(type(record), "_history_m2m_fields", ()):
            old, new = self.links[field.name, previous.pk], self.links[field.name, record.pk]
            if old != new:
                changes.append((field.verbose_name, ", ".join(old) or "—", ", ".join(new) or "—"))
        return changes

    def label(self, row):
        text = f"{row['log_reference']} {row['log_title']}".strip()
        if text:
            return text
        entry = self.visible.get(row["log_entry"])
        return str(entry) if entry is not None else f"#{row['log_entry']}"

    def url(self, row):
        if row["log_type"] == "-" or row["log_entry"] not in self.visible:
            return ""
        return reverse(self.register.url_name("detail"), args=[row["log_entry"]])


@login_required
@permission_required(READ_ACTIVITY, raise_exception=True)
def activity_log(request, fmt=None):
    if fmt not in (None, "csv", "xlsx"):
        raise Http404
    form = ActivityFilterForm(request.GET or None, user=request.user)
    if not form.is_bound:
        rows = activity(request.user, {})
    else:
        rows = activity(request.user, form.cleaned_data) if form.is_valid() else None
    if fmt is not None:
        return export(rows, request.user, fmt)
    page = None
    if rows is not None:
        page = Paginator(rows, settings.REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = describe(list(page.object_list), request.user)
    return render(request, "core/activity.html", {"form": form, "page": page})


def export(rows, user, fmt):
    return exports.export_rows(export_lines(rows, user), fmt, "activity-log")


def export_lines(rows, user):
    """The header row, then one row per change, read a chunk at a time as the file streams."""
    yield [_("When"), _("Who"), _("What"), _("Register"), _("Entry"), _("Changes")]
    total = rows.count() if rows is not None else 0
    for start in range(0, total, EXPORT_CHUNK):
        for entry in describe(list(rows[start : start + EXPORT_CHUNK]), user):
            changes = "; ".join(
                f"{capfirst(label)}: {old} → {new}" for label, old, new in entry["changes"]
            )
            yield [
                entry["when"],
                entry["who"],
                entry["action"],
                entry["register"],
                entry["entry"],
                changes,
            ]
