"""My work weighs the same with 3 or 30 decisions awaiting of a kind: each kind shows its count
from the database, its first entries and a link to the register's list filtered to exactly the
records the user may decide."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aims.core import approvals as machinery
from aims.core.approvals import approvals
from aims.core.related_lists import SHOWN
from risks.models import Risk
from tests.factories import RiskFactory, TreatmentActionFactory

SLACK = 64  # bytes: the counts' digits, never a row more


def plans_awaiting(count):
    """Risks whose treatment plan awaits approval (and, above the threshold, acceptance)."""
    return [TreatmentActionFactory(risk=RiskFactory()).risk for _ in range(count)]


def page(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("core:my_work"))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def show_all(html, approval):
    section = html.split(f">{approval.title} <", 1)[1].split("</ul>", 1)[0]
    match = re.search(r'<a href="([^"]+)">Show all (\d+) in the list</a>', section)
    return (match[1].replace("&amp;", "&"), int(match[2])) if match else (None, None)


def decide_links(html, approval):
    return re.findall(rf'href="/decide/{approval.key}/\d+/"', html)


def test_the_page_and_its_queries_do_not_grow_with_the_decisions_awaiting(client, ai_officer):
    client.force_login(ai_officer)
    plans = approvals["treatment-plan"]
    plans_awaiting(3)
    three, three_queries = page(client)
    plans_awaiting(SHOWN - 2)
    few, few_queries = page(client)
    plans_awaiting(30 - SHOWN - 1)
    many, many_queries = page(client)

    assert len(decide_links(three, plans)) == 3 and show_all(three, plans) == (None, None)
    assert len(decide_links(few, plans)) == len(decide_links(many, plans)) == SHOWN
    assert (show_all(few, plans)[1], show_all(many, plans)[1]) == (SHOWN + 1, 30)
    assert three_queries == few_queries == many_queries
    assert len(many) - len(few) < SLACK


def test_show_all_lists_exactly_the_records_of_that_kind_the_user_may_decide(
    client, ai_officer, compliance_officer
):
    plans = approvals["treatment-plan"]
    awaiting = plans_awaiting(12)
    RiskFactory.create_batch(3)  # awaiting acceptance only: not plans
    own = TreatmentActionFactory.build(risk=RiskFactory(), owner=ai_officer)
    own._history_user = ai_officer  # his own plan: four-eyes keeps it from him
    own.save()
    assert Risk.objects.awaiting_plan_approval().count() == 13

    client.force_login(ai_officer)
    html, _ = page(client)
    list_url, total = show_all(html, plans)
    assert total == machinery.decisions_for(ai_officer, plans).count() == 12
    listed = client.get(list_url)
    assert listed.status_code == 200
    assert listed.context["table"].page.paginator.count == 12
    rows = listed.context["table"].page.object_list
    assert {row.record for row in rows} == set(awaiting)


def test_each_user_sees_only_their_own_work(client, ai_officer, compliance_officer):
    plans_awaiting(12)
    mine = TreatmentActionFactory(owner=compliance_officer, title="Mine to do")
    TreatmentActionFactory(title="Someone else's to do")
    client.force_login(compliance_officer)
    html, _ = page(client)
    assert not decide_links(html, approvals["treatment-plan"])
    assert "Mine to do" in html and str(mine) in html
    assert "Someone else&#x27;s to do" not in html and "Someone else's to do" not in html

    client.force_login(ai_officer)
    html, _ = page(client)
    assert "Mine to do" not in html
    assert len(decide_links(html, approvals["treatment-plan"])) == SHOWN
