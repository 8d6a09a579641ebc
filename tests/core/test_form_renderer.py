"""The portal's form renderer writes dropdowns as Django's templates do, character for
character (aims/core/renderers.py)."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from aims.core.models import User
from aims.core.renderers import FormRenderer

CHOICES = [
    ("", "---------"),
    ("a", "A & <b>"),
    (1, 2),
    ("safe", mark_safe("<i>safe</i>")),
    (_("Group"), [("g1", _("Yes")), ("g2", datetime.date(2026, 1, 31))]),
    ("quote", 'say "hi"'),
]


def widgets():
    yield forms.Select(choices=CHOICES), "a"
    yield (
        forms.Select(choices=CHOICES, attrs={"class": "form-select", "data-x": mark_safe("&amp;")}),
        1,
    )
    yield forms.Select(choices=CHOICES, attrs={"required": True, "disabled": False}), None
    yield forms.SelectMultiple(choices=CHOICES), ["a", "g2", "safe"]
    yield forms.NullBooleanSelect(), True
    yield forms.NullBooleanSelect(), None
    yield forms.Select(choices=[]), ""
    yield forms.Select(choices=[(("x", 1), "tuple")]), "x"


@pytest.mark.parametrize("language", ["en", "de"])
def test_dropdowns_are_written_as_the_templates_write_them(language):
    with override(language):
        for widget, value in widgets():
            attrs = {"id": "id_field"}
            expected = widget.render("field", value, attrs, renderer=DjangoTemplates())
            assert widget.render("field", value, attrs, renderer=FormRenderer()) == expected


@pytest.mark.django_db
def test_a_model_dropdown_is_written_as_the_template_writes_it():
    users = [User.objects.create(username=f"user-{n}", first_name="Ä <&>") for n in range(3)]
    field = forms.ModelChoiceField(User.objects.order_by("pk"))
    expected = field.widget.render("owner", users[1].pk, renderer=DjangoTemplates())
    assert field.widget.render("owner", users[1].pk, renderer=FormRenderer()) == expected
    assert "selected" in expected


def test_other_widgets_keep_their_templates():
    widget = forms.TextInput(attrs={"class": "form-control"})
    assert widget.render("q", "x", renderer=FormRenderer()) == widget.render(
        "q", "x", renderer=DjangoTemplates()
    )
