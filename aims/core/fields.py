"""A model field for several choices in one column.

Stored as comma-separated codes in a CharField, so history, search and exports see the values
as text and every database can filter them (`roles__contains="deployer"`).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class MultipleChoiceField(models.CharField):
    def __init__(self, *args, options=(), **kwargs):
        self.options = list(options)
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["options"] = self.options
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return [code for code in (value or "").split(",") if code]

    def get_prep_value(self, value):
        if isinstance(value, str):  # lookups such as __contains="deployer"
            return value
        # In the options' order, so that the same choices are always the same text.
        order = [code for code, _label in self.options]
        return ",".join(
            sorted(value or [], key=lambda code: order.index(code) if code in order else len(order))
        )

    def validate(self, value, model_instance):
        unknown = set(value) - {code for code, _label in self.options}
        if unknown:
            raise ValidationError(
                _("Unknown choice: %(value)s"), params={"value": ", ".join(unknown)}
            )
        if not value and not self.blank:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def formfield(self, **kwargs):
        defaults = {
            "choices": self.options,
            "required": not self.blank,
            "label": self.verbose_name,
            "help_text": self.help_text,
            "widget": forms.CheckboxSelectMultiple,
        }
        form_class = kwargs.pop("form_class", forms.TypedMultipleChoiceField)
        return form_class(**{**defaults, **kwargs})

    def labels(self, value):
        names = dict(self.options)
        return [str(names.get(code, code)) for code in value]
