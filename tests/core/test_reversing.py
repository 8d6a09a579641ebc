"""URLs reversed once per process are the URLs `reverse()` gives (aims/core/reversing.py)."""

from django.template import Context, Template
from django.urls import reverse, set_script_prefix
from django.utils.translation import override

from aims.core.registry import registry
from aims.core.reversing import cached_reverse, entry_url


def test_cached_urls_are_the_reversed_ones():
    for register in registry:
        name = register.url_name("list")
        assert cached_reverse(name) == reverse(name)
        export = register.url_name("export")
        assert cached_reverse(export, args=["csv"]) == reverse(export, args=["csv"])
        for pk in (1, 42, 7319046528):
            detail = register.url_name("detail")
            assert entry_url(detail, pk) == reverse(detail, args=[pk])


def test_a_key_that_is_not_an_integer_is_reversed_as_it_is():
    assert entry_url("risks:risk_detail", "17") == reverse("risks:risk_detail", args=["17"])


def test_urls_follow_the_script_prefix_and_the_language():
    try:
        set_script_prefix("/portal/")
        assert cached_reverse("risks:risk_list") == "/portal/risks/register/"
        assert entry_url("risks:risk_detail", 3) == "/portal/risks/register/3/"
    finally:
        set_script_prefix("/")
    with override("de"):
        assert cached_reverse("risks:risk_list") == reverse("risks:risk_list")
    assert cached_reverse("risks:risk_list") == "/risks/register/"


def test_the_url_tag_writes_the_same_urls():
    urls = (
        "{% url 'core:dashboard' %} {% url 'risks:risk_export' 'csv' %} "
        "{% url 'risks:risk_detail' pk %} {% url name %} "
        "{% url 'risks:risk_list' as link %}{{ link }}"
    )
    cached = Template("{% load cached_urls %}" + urls)
    plain = Template(urls)
    context = {"pk": 5, "name": "core:my_work"}
    assert cached.render(Context(context)) == plain.render(Context(context))
    assert "/risks/register/5/" in plain.render(Context(context))
