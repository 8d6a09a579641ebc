"""`{% load cached_urls %}` reverses URLs named by constants once per process and leaves the
others to Django's `url` tag (aims/core/templatetags/cached_urls.py)."""

from django.template import Template
from django.template.defaulttags import URLNode

from aims.core.templatetags.cached_urls import CachedURLNode


def url_nodes(source):
    return Template("{% load cached_urls %}" + source).nodelist.get_nodes_by_type(URLNode)


def test_urls_named_by_constants_are_cached():
    nodes = url_nodes(
        "{% url 'core:dashboard' %}{% url 'risks:risk_export' 'csv' %}{% url 'a' 5 %}"
    )
    assert [type(node) for node in nodes] == [CachedURLNode] * 3


def test_other_urls_are_djangos():
    nodes = url_nodes(
        "{% url 'risks:risk_detail' pk %}{% url name %}{% url 'risks:risk_list' as link %}"
        "{% url 'risks:risk_detail' pk=1 %}{% url 'core:dashboard'|lower %}"
    )
    assert [type(node) for node in nodes] == [URLNode] * 5
