"""Generic register views: each is bound to a Register by `as_view(register=…)`.

Objects always come from `restrict(user, action)`, so an object outside the user's scope
answers 404; a register the user may not use at all, or an entry the user may see but not
change or delete, answers 403 naming who may (aims/core/forbidden.py).
"""

from copy import copy
from functools import reduce
from operator import or_

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.http import require_POST

from aims.core import display, exports, pdf, record_pdf
from aims.core.forbidden import Forbidden, get_or_refuse
from aims.core.forms import BulkEditForm
from aims.core.permissions import can, perm_name, permits
from aims.core.redirects import safe_next
from aims.core.registry import registry
from aims.core.related_lists import FirstEntries
from aims.core.saved_views import saved_views_for
from aims.core.services import Locked, OutOfScope, StaleEdit, register_entry_save
from aims.core.tables import SelectColumn, configure, optimize


class RegisterView(LoginRequiredMixin, View):
    register = None
    action = "view"

    @property
    def model(self):
        return self.register.model

    def scoped(self, action=None):
        return self.model._default_manager.restrict(self.request.user, action or self.action)

    def get_object(self):
        # Fetched once per request: dispatch checks the lock, the handler uses the same object.
        if not hasattr(self, "_object"):
            if self.action in ("change", "delete"):
                # Seen but not changeable: 403 naming who may change it.
                self._object = get_or_refuse(
                    self.model._default_manager.all(),
                    self.request.user,
                    self.action,
                    self.kwargs["pk"],
                )
            else:
                self._object = get_object_or_404(self.scoped(), pk=self.kwargs["pk"])
        return self._object

    def dispatch(self, request, *args, **kwargs):
        if self.action in ("change", "delete") and request.user.is_authenticated:
            obj = self.get_object()
            refusal = obj.delete_refusal if self.action == "delete" else obj.lock_reason
            if refusal:
                messages.error(request, refusal)
                return redirect(obj)
        return super().dispatch(request, *args, **kwargs)

    def context(self, **extra):
        user = self.request.user
        urls = self.register.urls(extra.get("object"))
        return {
            "register": self.register,
            "opts": self.model._meta,
            "urls": urls,
            "can_add": "add" in urls and can(user, "add", self.model),
            **extra,
        }

    def object_context(self, obj, **extra):
        return self.context(
            object=obj,
            can_change=self.register.form is not None
            and not obj.lock_reason
            and permits(self.request.user, "change", obj),
            can_delete=not obj.delete_refusal and permits(self.request.user, "delete", obj),
            **extra,
        )

    def filtered(self, params):
        """The filter set and what the list shows for these query parameters: the user's
        scope, filtered and searched. Built once per request and parameters: the list and the
        summary above it (the heat maps) mostly ask for the same."""
        built = self.__dict__.setdefault("_filtered", {})
        key = params.urlencode()
        if key not in built:
            filterset = self.register.filterset(
                params, queryset=self.scoped(), request=self.request
            )
            # Invalid filter values show nothing (and say why) rather than everything.
            queryset = filterset.qs if filterset.is_valid() else self.scoped().none()
            built[key] = (
                filterset,
                search(queryset, self.register.search_fields, params.get("q", "")),
            )
        return built[key]

    def filtered_table(self, **table_options):
        """The register's table over what the user may see, searched and filtered."""
        if not can(self.request.user, "view", self.model):
            raise PermissionDenied
        filterset, queryset = self.filtered(self.request.GET)
        table = self.register.table(optimize(queryset, self.register.table), **table_options)
        return table, filterset


class RegisterListView(RegisterView):
    def get(self, request):
        bulk = self.register.bulk_editable and can(request.user, "change", self.model)
        options = (
            {"extra_columns": [("select", SelectColumn())], "sequence": ("select", "...")}
            if bulk
            else {}
        )
        table, filterset = self.filtered_table(**options)
        configure(table, request, per_page=settings.REGISTER_PAGE_SIZE)
        if bulk and not request.user.has_perm(perm_name(self.model, "change")):
            # Owners change some entries only: a checkbox on those of this page.
            shown = [row.record.pk for row in table.page.object_list]
            table.changeable = set(
                self.scoped("change").filter(pk__in=shown).values_list("pk", flat=True)
            )
        context = self.context(
            table=table,
            filterset=filterset,
            query=request.GET.get("q", ""),
            saved_views=saved_views_for(request.user, self.register),
            above_table=self.register.above_table(request, lambda params: self.filtered(params)[1]),
            bulk_edit=bulk,
        )
        if request.htmx and request.htmx.target == "register-table":
            return render(request, "core/register_table.html", context)
        return render(request, "core/register_list.html", context)


class RegisterExportView(RegisterView):
    def get(self, request, fmt):
        if fmt not in ("csv", "xlsx"):
            raise Http404
        table, _filterset = self.filtered_table()
        filename = f"{self.register.url_prefix or self.register.model_name}-{timezone.localdate()}"
        return exports.export_table(table, fmt, filename, user=request.user)


class BulkEditRefused(Exception):
    """The selection cannot be edited as a whole; nothing was saved."""


class BulkEntry:
    """One selected entry: the register's form bound to its current values plus the bulk
    values, so every rule of a single edit applies to it."""

    def __init__(self, register, obj, changes, loaded_version, user):
        self.object = obj
        unbound = register.form(instance=obj, user=user)
        data = {name: unbound[name].value() for name in unbound.fields}
        data.update(changes)
        data["loaded_version"] = loaded_version
        # A copy: validating writes the new values onto the instance, and the page still shows
        # the entries as they are stored.
        self.form = register.form(data, None, instance=copy(obj), user=user)
        self.version = loaded_version  # what the page posts next time
        self.valid = self.form.is_valid()
        if obj.lock_reason:  # submitted, approved: refused as a single edit would be
            self.form.add_error(None, obj.lock_reason)
            self.valid = False
        elif self.valid and self.form.cleaned_data["loaded_version"] != obj.version:
            self.stale(obj.version)
        self.changed = self.valid and bool(set(self.form.changed_data) & set(changes))

    def stale(self, current_version):
        """Someone saved the entry after the user selected it: refused; the page now shows
        the current values, and confirming again applies the change to them."""
        self.form.add_error(
            None,
            _(
                "Someone else saved this entry after you selected it. Nothing was saved; the "
                "list shows its current values."
            ),
        )
        self.version = current_version
        self.valid = False

    @property
    def errors(self):
        """(field label or "", message) of each reason the entry refuses the change."""
        fields = self.form.fields
        return [
            (fields[name].label if name in fields and name != "loaded_version" else "", message)
            for name, messages_ in self.form.errors.items()
            for message in messages_
        ]


class RegisterBulkEditView(RegisterView):
    """Set the same values on several selected entries. Each entry goes through the register's
    own form (every rule of a single edit) and the save service (history, version, lock and
    scope re-checked); all are saved in one transaction, or none. A confirmation shows what
    will change before anything is saved."""

    action = "change"
    template_name = "core/register_bulk_edit.html"
    MAX_SELECTION = 500

    def dispatch(self, request, *args, **kwargs):
        # Not RegisterView.dispatch: there is no single object to check the lock of.
        if request.user.is_authenticated and not can(request.user, "change", self.model):
            raise Forbidden(self.model, "change")
        return super(RegisterView, self).dispatch(request, *args, **kwargs)

    def selected(self, data):
        """The selected entries, from the change scope; an id outside what the user may see
        answers 404 (the page must not tell which entries exist), one the user may see but
        not change 403 (naming who may)."""
        ids = data.getlist("pk")
        if not ids:
            raise BulkEditRefused(_("Select the entries to change first."))
        if len(ids) > self.MAX_SELECTION:
            raise BulkEditRefused(
                _("Select at most %(count)s entries at a time.") % {"count": self.MAX_SELECTION}
            )
        if not all(i.isascii() and i.isdigit() and len(i) < 19 for i in ids):
            raise Http404
        ids = {int(i) for i in ids}
        objects = list(optimize(self.scoped().filter(pk__in=ids), self.register.table))
        if len(objects) != len(ids):
            missing = ids - {obj.pk for obj in objects}
            visible = list(self.scoped("view").filter(pk__in=missing))
            if len(visible) != len(missing):
                raise Http404
            raise Forbidden(self.model, self.action, visible[0] if len(visible) == 1 else None)
        return objects

    def bulk_form(self, data=None):
        source = self.register.form(user=self.request.user)
        return BulkEditForm(data, register_form=source, fields=self.register.bulk_fields)

    def render_page(self, objects, form, step="edit", entries=(), status=200):
        table = self.register.table(objects, orderable=False)
        table.request = self.request
        failed = [entry for entry in entries if not entry.valid]
        changing = [entry for entry in entries if entry.changed]
        return render(
            self.request,
            self.template_name,
            self.context(
                form=form,
                step=step,
                objects=objects,
                table=table,
                failed=failed,
                changing=changing,
                versions=[(entry.object.pk, entry.version) for entry in entries]
                or [
                    (obj.pk, self.request.POST.get(f"version_{obj.pk}", obj.version))
                    for obj in objects
                ],
            ),
            status=status,
        )

    def get(self, request):
        try:
            objects = self.selected(request.GET)
        except BulkEditRefused as refusal:
            messages.error(request, str(refusal))
            return redirect(self.register.url_name("list"))
        return self.render_page(objects, self.bulk_form())

    def post(self, request):
        try:
            objects = self.selected(request.POST)
        except BulkEditRefused as refusal:
            messages.error(request, str(refusal))
            return redirect(self.register.url_name("list"))
        form = self.bulk_form(request.POST)
        step = request.POST.get("step")
        if step not in ("check", "apply") or not form.is_valid():
            # "edit": back from the confirmation, the values kept.
            return self.render_page(objects, form)
        changes = form.changes()
        entries = [
            BulkEntry(
                self.register,
                obj,
                changes,
                request.POST.get(f"version_{obj.pk}", ""),
                request.user,
            )
            for obj in objects
        ]
        if any(not entry.valid for entry in entries):
            self.show_refusals(form, entries)
            return self.render_page(objects, form, entries=entries)
        if not any(entry.changed for entry in entries):
            form.add_error(None, _("The selected entries have these values already."))
            return self.render_page(objects, form, entries=entries)
        if step == "check":
            return self.render_page(objects, form, step="confirm", entries=entries)
        if not self.save_all([entry for entry in entries if entry.changed]):
            self.show_refusals(form, entries)
            return self.render_page(objects, form, entries=entries, status=409)
        count = sum(entry.changed for entry in entries)
        messages.success(
            request,
            ngettext(
                "Changed %(count)s of %(total)s selected entry.",
                "Changed %(count)s of %(total)s selected entries.",
                len(entries),
            )
            % {"count": count, "total": len(entries)},
        )
        return redirect(self.register.url_name("list"))

    def save_all(self, entries):
        """Save every entry through the save service, or none: a refusal of one (locked,
        changed by someone else meanwhile) rolls back all."""
        saved = True
        with transaction.atomic():
            for entry in entries:
                try:
                    register_entry_save(form=entry.form, user=self.request.user)
                except StaleEdit as stale:
                    entry.stale(stale.current.version)
                except (Locked, OutOfScope) as refusal:
                    entry.form.add_error(None, str(refusal))
                except IntegrityError:
                    entry.form.add_error(None, _("The database refused this change."))
                else:
                    continue
                entry.valid = saved = False
            if not saved:
                transaction.set_rollback(True)
        return saved

    @staticmethod
    def show_refusals(form, entries):
        """Mark each bulk field that some entry refused, with how many refused it."""
        refused = {}
        for entry in entries:
            for name in entry.form.errors:
                refused[name] = refused.get(name, 0) + 1
        for name, count in refused.items():
            if name in form.fields and not form.has_error(name):
                form.add_error(
                    name,
                    ngettext(
                        "%(count)s selected entry refuses this value; see the list below.",
                        "%(count)s selected entries refuse this value; see the list below.",
                        count,
                    )
                    % {"count": count},
                )


class RegisterDetailView(RegisterView):
    def get(self, request, pk):
        obj = self.get_object()
        return render(
            request,
            self.register.templates("detail"),
            self.object_context(
                obj,
                rows=display.detail_rows(obj, request.user),
                related=self.related_sections(obj, cut=True),
                **self.register.extra_context(obj, request.user),
            ),
        )

    def related_sections(self, obj, cut=False):
        """The entries of the registers listed in `Register.related` that point to `obj`, as
        far as the user may view them, each with an "Add" link that opens the child's form
        with `obj` filled in and returns here after saving (none while `obj` is locked).
        `cut`: only the first entries, with their total and the child's list filtered to
        `obj` (when the child's filters have `parent_field`), so the page stays light."""
        user = self.request.user
        related = []
        for accessor, parent_field in self.register.related:
            child = registry[getattr(obj, accessor).model]
            add_url = child.urls().get("add")
            may_add = (
                bool(add_url)
                and parent_field in child.form.base_fields
                and not obj.lock_reason
                and can(user, "add", child.model)
            )
            if may_add and not user.has_perm(perm_name(child.model, "add")):
                # Added through the parent (a system owner's model versions): only to a
                # parent the user may change.
                may_add = permits(user, "change", obj)
            query = {parent_field: obj.pk, "next": obj.get_absolute_url()}
            objects = getattr(obj, accessor).restrict(user, "view")
            if cut:
                filtered = parent_field in child.filterset.base_filters
                list_url = child.urls()["list"] + f"?{urlencode({parent_field: obj.pk})}"
                objects = FirstEntries(objects, list_url if filtered else "")
            related.append(
                {
                    "register": child,
                    "objects": objects,
                    "parent_field": parent_field,
                    "can_add": may_add,
                    "add_url": f"{add_url}?{urlencode(query)}" if may_add else "",
                }
            )
        return related


class RegisterPdfView(RegisterDetailView):
    """The entry as a PDF document: the same object, scope and linked entries as its page."""

    def get(self, request, pk):
        obj = self.get_object()
        context = record_pdf.record_context(
            self.register, obj, request.user, self.related_sections(obj)
        )
        filename = slugify(getattr(obj, "reference", "") or f"{self.register.model_name}-{pk}")
        return pdf.pdf_response(pdf.render_pdf("core/register_pdf.html", context), filename)


class RegisterFormView(RegisterView):
    @property
    def template_name(self):
        return self.register.templates("form")

    def form(self, instance=None, data=None):
        files = self.request.FILES if data is not None else None
        # Forms may read the query's values while setting up their choices (a checklist item
        # offers its audit's records); what is shown is only what the fields accept.
        initial = None if instance else self.request.GET.dict()
        form = self.register.form(
            data, files, instance=instance, initial=initial, user=self.request.user
        )
        if instance is None:
            # What the form derived itself (an impact assessment's values from its system)
            # stays; the query's own values are kept only as far as the fields accept them.
            derived = {
                name: value
                for name, value in form.initial.items()
                if name not in initial or value != initial[name]
            }
            form.initial = {**initial_from_query(form, self.request.GET), **derived}
        return form

    def next_url(self):
        """Where to return after saving (the page the user came from, e.g. the parent of a
        new entry), if it is one of the portal's own pages."""
        return safe_next(self.request, self.request.GET.get("next", ""))

    def save(self, form, obj=None):
        try:
            saved = register_entry_save(form=form, user=self.request.user)
        except StaleEdit as stale:
            form.data = form.data.copy()
            form.data["loaded_version"] = stale.current.version
            form.add_error(None, stale_message(stale.current, form))
        except (Locked, OutOfScope) as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(self.request, _("Saved “%(object)s”.") % {"object": saved})
            return redirect(self.next_url() or saved)
        return render(self.request, self.template_name, self.form_context(form, obj), status=409)

    def form_context(self, form, obj):
        # The form has copied the user's input onto its instance; headings show what is stored.
        stored = self.scoped().get(pk=obj.pk) if obj else None
        extra = {"form": form, "next_url": self.next_url()}
        return self.object_context(stored, **extra) if obj else self.context(**extra)


class RegisterCreateView(RegisterFormView):
    action = "add"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can(request.user, "add", self.model):
            raise Forbidden(self.model, "add")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, self.template_name, self.form_context(self.form(), None))

    def post(self, request):
        form = self.form(data=request.POST)
        if not form.is_valid():
            return render(request, self.template_name, self.form_context(form, None))
        return self.save(form)


class RegisterUpdateView(RegisterFormView):
    action = "change"

    def get(self, request, pk):
        obj = self.get_object()
        return render(request, self.template_name, self.form_context(self.form(obj), obj))

    def post(self, request, pk):
        obj = self.get_object()
        form = self.form(obj, data=request.POST)
        if not form.is_valid():
            return render(request, self.template_name, self.form_context(form, obj))
        return self.save(form, obj)


class RegisterDeleteView(RegisterView):
    action = "delete"
    template_name = "core/register_confirm_delete.html"

    def get(self, request, pk):
        return render(request, self.template_name, self.object_context(self.get_object()))

    def post(self, request, pk):
        obj = self.get_object()
        try:
            obj.delete()
        except ProtectedError as error:
            blockers = sorted({str(o) for o in error.protected_objects})
            return render(
                request,
                self.template_name,
                self.object_context(obj, blockers=blockers),
                status=409,
            )
        messages.success(request, _("Deleted “%(object)s”.") % {"object": obj})
        return redirect(self.register.url_name("list"))


class RegisterHistoryView(RegisterView):
    def get(self, request, pk):
        obj = self.get_object()
        page = display.history_page(obj, request.GET.get("page"), settings.REGISTER_PAGE_SIZE)
        return render(request, "core/register_history.html", self.object_context(obj, page=page))


def refused(request, error):
    """Tell the user why a workflow step was refused (a ValidationError's messages)."""
    messages.error(request, " ".join(getattr(error, "messages", [str(error)])))


def initial_from_query(form, params):
    """Initial values from the query string (`?ai_system=3`): only for the form's own editable
    fields, and only values the field accepts as the user's input, so a dropdown is never
    pre-filled with an entry outside the user's permitted choices."""
    initial = {}
    for name in params:
        field = form.fields.get(name)
        if field is None or field.disabled or isinstance(field.widget, forms.HiddenInput):
            continue
        many = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
        value = params.getlist(name) if many else params[name]
        try:
            field.clean(value)
        except ValidationError:
            continue  # not offered to this user, or not a valid value: not pre-filled
        initial[name] = value
    return initial


def search(queryset, fields, query):
    """Rows where every word of the query occurs in one of the search fields."""
    if not fields:
        return queryset
    # PostgreSQL text cannot hold NUL characters; they can only come from a crafted URL.
    for word in query.replace("\x00", "").split()[:10]:
        queryset = queryset.filter(reduce(or_, (Q(**{f"{f}__icontains": word}) for f in fields)))
    return queryset


def stale_message(current, form):
    who = display.last_saved_by(current)
    changed = display.fields_changed_since(
        current, form.cleaned_data["loaded_version"], form.fields
    )
    message = _(
        "Someone else saved this record while you were editing it (%(who)s). Nothing was "
        "overwritten and your input is kept below. Check the current values, then save again "
        "to replace them with yours."
    ) % {"who": who}
    if changed:
        message += " " + _("Changed meanwhile: %(fields)s.") % {"fields": ", ".join(changed)}
    return message


@login_required
def notifications(request):
    page = Paginator(request.user.notifications.all(), settings.REGISTER_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_read(request):
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("core:notifications")
