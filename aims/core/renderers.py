"""The portal's form renderer (FORM_RENDERER): Django's, except that a dropdown is written here
rather than by its templates, which include a template per option and another for each option's
attributes. A filter form's dropdowns with their few dozen options cost more than the rest of
the form; the HTML is the templates', character for character."""

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import SafeData, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
# What `{{ value }}` in a form template is rendered in: autoescaped, localized as settings say.
CONTEXT = Context(autoescape=True)


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT:
            html = select_html(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request)


def select_html(widget):
    """What select.html writes for the widget, or None where an option has a template of its
    own."""
    parts = [f'<select name="{shown(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{shown(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION:
                return None
            parts.append(
                f'\n  <option value="{as_text(option["value"])}"{attrs_html(option["attrs"])}>'
                f"{shown(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above


def shown(value):
    """`{{ value }}`."""
    return render_value_in_context(value, CONTEXT)


def as_text(value):
    """`{{ value|stringformat:'s' }}`: the filter keeps a safe value safe, else it is escaped."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)  # noqa: UP031 - the filter's own
    return text if isinstance(value, SafeData) else escape(text)


def attrs_html(attrs):
    """attrs.html: ` name="value"` each, the name alone for True, nothing for False."""
    return "".join(
        f" {shown(name)}" if value is True else f' {shown(name)}="{as_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )
