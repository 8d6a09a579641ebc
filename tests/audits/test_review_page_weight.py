"""The review's page shows the first entries of each input list that grows with a register,
with the total and a link to the register's list holding exactly them where one can; the
minutes keep them all."""

import datetime
import re

import pytest

from aims.core.related_lists import SHOWN
from risks.models import TreatmentAction
from tests.audits.pack_helpers import pdf_text
from tests.conftest import client_for
from tests.factories import (
    AIIncidentFactory,
    AISystemFactory,
    CorrectiveActionFactory,
    ImprovementFactory,
    ManagementReviewFactory,
    NonconformityFactory,
    ReviewActionFactory,
    RiskFactory,
    TreatmentActionFactory,
    UserFactory,
)

SLACK = 256  # bytes: the same rows and totals of as many digits, never the further rows
LONG_AGO = datetime.date(2020, 1, 1)


@pytest.fixture
def registers():
    """Makes `count` more entries in each list of the inputs that grows with a register."""
    owner, risk, system = UserFactory(), RiskFactory(), AISystemFactory()
    nonconformity = NonconformityFactory()
    earlier = ManagementReviewFactory(date=datetime.date(2026, 1, 10))

    def grow(count):
        TreatmentActionFactory.create_batch(count, risk=risk, owner=owner, due_date=LONG_AGO)
        CorrectiveActionFactory.create_batch(
            count, nonconformity=nonconformity, owner=owner, due_date=LONG_AGO
        )
        NonconformityFactory.create_batch(count)
        AIIncidentFactory.create_batch(count, ai_system=system)
        ImprovementFactory.create_batch(count)
        ReviewActionFactory.create_batch(count, review=earlier, owner=owner)

    return grow


def show_all(html, list_url):
    link = rf"<a href=\"({re.escape(list_url)}[^\"]*)\">Show all (\d+) in the list</a>"
    match = re.search(link, html)
    return (match[1].replace("&amp;", "&"), int(match[2])) if match else (None, None)


def test_the_review_page_weighs_the_same_with_15_or_60_entries_per_list(
    client, compliance_officer, registers
):
    client = client_for(client, compliance_officer)
    review = ManagementReviewFactory(date=datetime.date(2026, 12, 31))
    registers(SHOWN + 15)
    few = client.get(review.get_absolute_url()).content.decode()
    registers(45)
    TreatmentActionFactory(due_date=datetime.date(2099, 1, 1))  # not overdue: never counted
    many = client.get(review.get_absolute_url()).content.decode()

    assert abs(len(many) - len(few)) < SLACK
    list_url, total = show_all(many, "/risks/treatment-actions/")
    assert total == SHOWN + 60  # every overdue action
    assert TreatmentAction.objects.count() == total + 1
    assert client.get(list_url).context["table"].page.paginator.count == total
    list_url, total = show_all(many, "/audits/corrective-actions/")
    assert total == SHOWN + 60
    assert client.get(list_url).context["table"].page.paginator.count == total


def test_the_minutes_list_every_entry(client, compliance_officer, registers):
    client = client_for(client, compliance_officer)
    review = ManagementReviewFactory(date=datetime.date(2026, 12, 31))
    registers(SHOWN + 5)
    page = client.get(review.get_absolute_url()).content.decode()
    minutes = pdf_text(client.get(f"{review.get_absolute_url()}minutes.pdf").content)

    def listed(title, text):
        return re.search(rf"\b{title}(?!\d)", text)

    titles = TreatmentAction.objects.values_list("title", flat=True)
    assert len(titles) == SHOWN + 5
    assert sum(bool(listed(title, page)) for title in titles) == SHOWN
    assert all(listed(title, minutes) for title in titles)
