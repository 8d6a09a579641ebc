"""The acknowledgement section on the AI policy page (included by the context's template)."""

from django import template

from aims.communication.acknowledgements import acknowledgement_section

register = template.Library()


@register.inclusion_tag("communication/acknowledgement_section.html", takes_context=True)
def policy_acknowledgements(context, policy):
    section = acknowledgement_section(policy, context["request"].user)
    return {
        "section": section,
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
