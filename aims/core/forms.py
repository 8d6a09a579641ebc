"""Base form for register entries: restricted dropdowns and the version the user loaded; the
bulk edit form that sets a register's bulk fields on many entries."""

import copy

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connections, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aims.core import pickers
from aims.core.permissions import RestrictedQuerySet, perm_name

# The browser's date picker; the value in the format it expects.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegisterForm(forms.ModelForm):
    # The version the user started from; a save against a newer version is refused.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version
        restrict_choices(self.fields, user, self.initial)
        parent = getattr(self._meta.model, "scope_parent", None)
        if parent in self.fields and not user.has_perm(perm_name(self._meta.model, "add")):
            # Users who add children through their own parents (a system owner adding a model
            # version) may only pick parents they can change.
            self.fields[parent].queryset = self.fields[parent].queryset.restrict(user, "change")
        for form_field in self.fields.values():
            if isinstance(form_field, forms.CharField) and isinstance(
                form_field.widget, forms.TextInput
            ):
                form_field.validators.append(single_line)
        owner = getattr(self._meta.model, "owner_field", None)
        if owner in self.fields and not user.has_perm(perm_name(self._meta.model, "change")):
            # Owners edit what they own; handing it to someone else is the register keeper's.
            self.fields[owner].disabled = True
        if self.instance.pk and "reference" in self.fields:
            self.fields["reference"].required = True
        style_widgets(self)

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                described_by = [f"id_{self.add_prefix(name)}_error"]
                if self.fields[name].help_text:
                    described_by.append(f"id_{self.add_prefix(name)}_helptext")
                attrs["aria-describedby"] = " ".join(described_by)

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str) and "\r\n" in value:
                cleaned[name] = value.replace("\r\n", "\n")  # browsers send CRLF
        self.keep_unseen_links(cleaned)
        return cleaned

    def keep_unseen_links(self, cleaned):
        """Links to entries the user may not see are not among a field's choices, so the form
        cannot show or send them; they stay on save instead of being removed unnoticed."""
        if not self.instance.pk:
            return
        links = {field.name for field in self._meta.model._meta.many_to_many}
        for name, form_field in self.fields.items():
            if name not in cleaned or name not in links:
                continue
            if not isinstance(form_field.queryset, RestrictedQuerySet) or self.user.has_perm(
                perm_name(form_field.queryset.model, "view")
            ):
                continue
            unseen = getattr(self.instance, name).exclude(pk__in=form_field.queryset.values("pk"))
            cleaned[name] = [*cleaned[name], *unseen]

    def clean_loaded_version(self):
        version = self.cleaned_data.get("loaded_version")
        if self.instance.pk and version is None:
            raise forms.ValidationError(_("The form is incomplete; reload the page."))
        return version


def single_line(value):
    if any(ord(char) < 32 for char in value):
        raise ValidationError(_("Line breaks and control characters are not allowed here."))


def restrict_choices(form_fields, user, initial=None):
    """A dropdown never offers an object the user may not see, nor an inactive user other than
    the one already chosen (dropping a deactivated owner unnoticed on save would lose data)."""
    for name, form_field in form_fields.items():
        queryset = getattr(form_field, "queryset", None)
        if isinstance(queryset, RestrictedQuerySet):
            form_field.queryset = queryset.restrict(user, "view")
        elif queryset is not None and queryset.model is get_user_model():
            current = (initial or {}).get(name)
            current = current if str(current).isdigit() else None  # initial may come from a URL
            form_field.queryset = queryset.filter(Q(is_active=True) | Q(pk=current)).order_by(
                "last_name", "username"
            )


def style_widgets(form):
    """Bootstrap classes on every widget, so templates render fields one way. Every form of the
    portal (register forms, filters, decide pages, wizards) passes through here once its fields
    are set, so their object dropdowns also get the key check of `guard_keys` and become
    pickers (aims/core/pickers.py)."""
    guard_keys(form.fields)
    pickers.attach(form)
    for form_field in form.fields.values():
        widget = form_field.widget
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):  # incl. multiple
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        classes = widget.attrs.get("class", "").split()
        if css not in classes:  # forms that add fields style again
            widget.attrs["class"] = " ".join([*classes, css])


def guard_keys(form_fields):
    """Object dropdowns (single and multiple) refuse a key outside the database's integer range
    with their "not a valid choice" error before any query: SQLite raises OverflowError and
    PostgreSQL "value out of range" for 2**63 in a lookup, which would answer 500."""
    for form_field in form_fields.values():
        if isinstance(form_field, forms.ModelChoiceField) and not isinstance(
            form_field, KeyRangeCheck
        ):
            form_field.__class__ = key_checked(type(form_field))


class KeyRangeCheck:
    """Mixed into a ModelChoiceField or ModelMultipleChoiceField class (see `guard_keys`)."""

    def clean(self, value):
        if isinstance(self, forms.ModelMultipleChoiceField):
            for key in value if isinstance(value, list | tuple) else []:
                if not self.key_in_range(key):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": key},
                    )
        elif value not in self.empty_values and not self.key_in_range(value):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().clean(value)

    def key_in_range(self, value):
        meta = self.queryset.model._meta
        key_field = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        while key_field.is_relation:  # a child model's key is its parent link
            key_field = key_field.target_field
        if isinstance(value, models.Model) or not isinstance(key_field, models.IntegerField):
            return True
        try:
            number = int(str(value))
        except ValueError:  # not a number (the lookup refuses it), or too many digits
            return not str(value).strip().lstrip("+-").isdigit()
        low, high = connections[self.queryset.db].ops.integer_field_range(
            key_field.get_internal_type()
        )
        return (low is None or number >= low) and (high is None or number <= high)


_KEY_CHECKED = {}


def key_checked(field_class):
    """The subclass of a model choice field class that checks keys first (one per class)."""
    if field_class not in _KEY_CHECKED:
        _KEY_CHECKED[field_class] = type(
            f"KeyChecked{field_class.__name__}", (KeyRangeCheck, field_class), {}
        )
    return _KEY_CHECKED[field_class]


LEAVE_UNCHANGED = _("Leave unchanged")


class BulkEditForm(forms.Form):
    """The values to set on every selected entry. Each field is one of the register form's own
    (same choices, restricted dropdowns, length limits), optional: left empty, the entries keep
    their values. A field the register allows to be empty can be cleared with its "clear" box.
    Fields the user may not change in the register form (disabled) are left out."""

    CLEAR = "{}__clear"

    def __init__(self, *args, register_form, fields, **kwargs):
        super().__init__(*args, **kwargs)
        self.source_fields = {}
        for name in fields:
            source = register_form.fields.get(name)
            if source is None:
                raise ImproperlyConfigured(f"Bulk field {name!r} is not a field of the form.")
            if source.disabled:
                continue
            self.source_fields[name] = source
            self.fields[name] = bulk_field(source)
            if not source.required and not isinstance(source, forms.BooleanField):
                self.fields[self.CLEAR.format(name)] = forms.BooleanField(
                    label=_("Clear on all selected entries"), required=False
                )
        style_widgets(self)

    def pairs(self):
        """(value field, clear field or None) per bulk field, for the template."""
        for name in self.source_fields:
            clear = self.CLEAR.format(name)
            yield self[name], self[clear] if clear in self.fields else None

    def clean(self):
        cleaned = super().clean()
        for name in self.source_fields:
            if cleaned.get(self.CLEAR.format(name)) and not is_empty(cleaned.get(name)):
                self.add_error(name, _("Either enter a value or clear the field, not both."))
        if not self.errors and not self.changes():
            raise ValidationError(_("Enter at least one value to set, or clear a field."))
        return cleaned

    def changes(self):
        """{field name: value} to set on every entry, in the register form's terms (a key, a
        date, True/False, "" to clear); only the fields the user filled in or cleared."""
        changes = {}
        for name, source in self.source_fields.items():
            if self.cleaned_data.get(self.CLEAR.format(name)):
                changes[name] = ""
            elif not is_empty(value := self.cleaned_data.get(name)):
                changes[name] = source.prepare_value(value)
        return changes

    def summary(self):
        """(label, value as shown) of each change, for the confirmation."""
        rows = []
        for name in self.changes():
            field = self.fields[name]
            if self.cleaned_data.get(self.CLEAR.format(name)):
                shown = _("(empty)")
            else:
                value = self.cleaned_data[name]
                if isinstance(field, forms.ChoiceField) and not isinstance(
                    field, forms.ModelChoiceField
                ):
                    shown = dict(field.choices).get(self.data.get(name), value)
                else:
                    shown = value
            rows.append((field.label, shown))
        return rows


def is_empty(value):
    return value is None or value == ""


def bulk_field(source):
    """An optional copy of a register form field whose empty choice means "leave unchanged"."""
    if isinstance(source, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
        raise ImproperlyConfigured("Bulk edit sets single values, not lists.")
    if isinstance(source, forms.BooleanField):
        return forms.TypedChoiceField(
            label=source.label,
            help_text=source.help_text,
            choices=[("", LEAVE_UNCHANGED), ("yes", _("Yes")), ("no", _("No"))],
            coerce=lambda value: value == "yes",
            empty_value=None,
            required=False,
        )
    field = copy.deepcopy(source)
    field.required = False
    field.initial = None
    if isinstance(field, forms.ModelChoiceField):
        field.empty_label = LEAVE_UNCHANGED
    elif isinstance(field, forms.ChoiceField):
        field.choices = [("", LEAVE_UNCHANGED), *[c for c in source.choices if c[0] != ""]]
    # Styles of the register form (an error state) do not carry over.
    field.widget.attrs.pop("aria-invalid", None)
    if isinstance(field.widget, forms.Textarea):
        field.widget.attrs["rows"] = 3  # one value for many entries: usually a sentence
    return field
