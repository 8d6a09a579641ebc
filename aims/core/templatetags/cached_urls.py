"""`{% load cached_urls %}` replaces the `url` tag by one that reverses a URL named by constants
(`{% url 'core:dashboard' %}`) once per process (aims/core/reversing.py), as every page's
navigation asks for the same ones. Anything else (a variable, keyword arguments, `as`) is
Django's `url` tag as it is."""

from django import template
from django.template.base import Variable
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as url_tag
from django.utils.html import conditional_escape

from aims.core.reversing import cached_reverse

register = template.Library()


class CachedURLNode(URLNode):
    def render(self, context):
        # As URLNode finds it.
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = cached_reverse(
            self.view_name.resolve(context),
            [arg.resolve(context) for arg in self.args],
            current_app,
        )
        return conditional_escape(url) if context.autoescape else url


def constant(expression):
    # A quoted string is parsed into the string itself; a number into a Variable with its value.
    var = expression.var
    return not expression.filters and (not isinstance(var, Variable) or var.literal is not None)


@register.tag
def url(parser, token):
    node = url_tag(parser, token)
    if node.asvar or node.kwargs or not all(map(constant, [node.view_name, *node.args])):
        return node
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
