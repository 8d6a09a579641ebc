"""Base form for register entries: restricted dropdowns and the version the user loaded."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
        return cleaned

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
    """Bootstrap classes on every widget, so templates render fields one way."""
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
