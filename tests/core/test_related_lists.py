"""Detail pages list at most a few related entries, with their total and a link to the related
register's list filtered to the entry, so a page weighs the same with 3 or 300 of them."""

import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aims.core.related_lists import SHOWN
from controls.models import Control, SoAEntry
from risks.models import Risk
from tests.conftest import REGISTER_IDS, REGISTERS, client_for
from tests.factories import (
    REGISTER_FACTORIES,
    AISystemFactory,
    ControlFactory,
    DatasetFactory,
    RiskFactory,
    ScopeStatementFactory,
    ThirdPartyFactory,
)

SLACK = 1536  # bytes: up to SHOWN rows and the "show all" line, never the rest


def link_risks(control, count):
    RiskFactory.create_batch(count, controls=[control.code])


def show_all(html):
    match = re.search(r'<a href="([^"]+)">Show all (\d+) in the list</a>', html)
    return (match[1].replace("&amp;", "&"), int(match[2])) if match else (None, None)


def risk_links(html):
    return len(re.findall(r'href="/risks/register/\d+/"', html))


def test_control_page_weight_does_not_grow_with_its_risks(client, compliance_officer):
    client = client_for(client, compliance_officer)
    control = ControlFactory()
    url = reverse("controls:control_detail", args=[control.pk])
    link_risks(control, 3)
    few = client.get(url).content.decode()
    link_risks(control, 297)
    many = client.get(url).content.decode()

    assert risk_links(few) == 3 and show_all(few) == (None, None)
    assert risk_links(many) == SHOWN
    assert len(many) - len(few) < SLACK
    list_url, total = show_all(many)
    assert total == 300
    link_risks(ControlFactory(), 2)  # another control's risks: not in the filtered list
    assert Risk.objects.count() == 302
    assert client.get(list_url).context["table"].page.paginator.count == 300


def test_soa_entry_page_cuts_its_driver_risks(client, compliance_officer):
    client = client_for(client, compliance_officer)
    entry = SoAEntry.objects.filter(ai_system=None).select_related("control").first()
    url = reverse("controls:soaentry_detail", args=[entry.pk])
    link_risks(entry.control, 3)
    few = client.get(url).content.decode()
    link_risks(entry.control, 297)
    other = ControlFactory()
    link_risks(other, 2)  # not this entry's drivers: never counted
    many = client.get(url).content.decode()

    assert risk_links(few) == 3
    assert risk_links(many) == SHOWN
    assert len(many) - len(few) < SLACK
    list_url, total = show_all(many)
    assert total == Risk.objects.filter(controls=entry.control).count() == 300
    assert client.get(list_url).context["table"].page.paginator.count == 300


def test_control_page_query_count_does_not_grow_with_its_risks(
    client, compliance_officer, django_assert_max_num_queries
):
    client = client_for(client, compliance_officer)
    control = Control.objects.get(code="A.6.2.4")
    url = reverse("controls:control_detail", args=[control.pk])
    link_risks(control, 2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    link_risks(control, 30)
    with django_assert_max_num_queries(len(few)):
        client.get(url)


def test_scope_statement_page_cuts_its_systems_in_scope(client, compliance_officer):
    client = client_for(client, compliance_officer)
    url = reverse("context:scopestatement_detail", args=[ScopeStatementFactory().pk])
    AISystemFactory.create_batch(3, in_scope=True)
    few = client.get(url).content.decode()
    AISystemFactory.create_batch(297, in_scope=True)
    AISystemFactory.create_batch(2, in_scope=False)  # out of scope: never counted
    many = client.get(url).content.decode()

    def system_links(html):
        return len(re.findall(r'href="/inventory/systems/\d+/"', html))

    assert system_links(few) == 3 and show_all(few) == (None, None)
    assert system_links(many) == SHOWN
    assert len(many) - len(few) < SLACK
    list_url, total = show_all(many)
    assert total == 300
    assert client.get(list_url).context["table"].page.paginator.count == 300


def test_the_total_is_what_count_says_for_a_distinct_or_grouped_list(db):
    """Risks found through their treatment actions: a risk with three actions is one entry."""
    from django.db.models import Count

    from aims.core.related_lists import FirstEntries
    from tests.factories import TreatmentActionFactory

    for risk in RiskFactory.create_batch(12):
        TreatmentActionFactory.create_batch(3, risk=risk)
    through_actions = Risk.objects.filter(treatment_actions__isnull=False)
    distinct = FirstEntries(through_actions.distinct().order_by("reference"))
    assert (distinct.total, len(distinct), distinct.more) == (12, SHOWN, True)
    assert len({risk.pk for risk in distinct}) == SHOWN
    assert FirstEntries(through_actions).total == through_actions.count() == 36
    grouped = Risk.objects.annotate(actions=Count("treatment_actions")).filter(actions=3)
    assert FirstEntries(grouped).total == 12
    with CaptureQueriesContext(connection) as queries:
        assert FirstEntries(Risk.objects.filter(pk__in=[])).total == 0
    assert len(queries) == 0


def section_headings(html):
    return [
        re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)
    ]


@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_a_detail_page_shows_each_section_once(client, compliance_officer, register):
    """Related entries are listed once, in their cut related section, not again in full by a
    section of the page's own."""
    obj = REGISTER_FACTORIES[register.model]()
    client = client_for(client, compliance_officer)
    html = client.get(reverse(register.url_name("detail"), args=[obj.pk])).content.decode()
    headings = section_headings(html)
    assert [h for h, n in Counter(headings).items() if n > 1] == [], register.model_name


def test_an_ai_system_page_cuts_its_datasets_and_third_parties(client, compliance_officer):
    system = AISystemFactory()
    for factory, count in ((DatasetFactory, SHOWN + 5), (ThirdPartyFactory, SHOWN + 2)):
        for entry in factory.create_batch(count):
            entry.systems.add(system)
    client = client_for(client, compliance_officer)
    html = client.get(reverse("inventory:aisystem_detail", args=[system.pk])).content.decode()
    assert section_headings(html).count("Datasets") == 1
    assert len(re.findall(r'href="/inventory/datasets/\d+/"', html)) == SHOWN
    assert len(re.findall(r'href="/inventory/third-parties/\d+/"', html)) == SHOWN
    assert "Show all 15 in the list" in html and "Show all 12 in the list" in html
