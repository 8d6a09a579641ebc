"""Every "next review" with a cadence follows it unless a date is set by hand (one mechanism,
aims/core/reviews.py), tested for each model that has one."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from aims.core.dates import add_months
from aims.core.registry import registry
from aims.inventory.models import AISystem
from risks.models import Risk
from tests.conftest import form_payload
from tests.factories import AISystemFactory, RiskFactory

# Model → its factory; each has `review_cadence_months` and `next_review`.
REVIEWED = {AISystem: AISystemFactory, Risk: RiskFactory}
MODELS = pytest.mark.parametrize("model", list(REVIEWED), ids=lambda m: m._meta.model_name)


@MODELS
def test_an_empty_next_review_is_one_cadence_from_today(db, model):
    entry = REVIEWED[model](review_cadence_months=6, next_review=None)
    assert entry.next_review == add_months(timezone.localdate(), 6)


@MODELS
def test_a_date_set_by_hand_stays(db, model):
    entry = REVIEWED[model](review_cadence_months=6, next_review=datetime.date(2031, 1, 15))
    entry.refresh_from_db()
    assert entry.next_review == datetime.date(2031, 1, 15)
    entry.review_cadence_months = 3
    entry.next_review = datetime.date(2031, 2, 1)  # both changed: the hand-set date wins
    entry.save()
    assert entry.next_review == datetime.date(2031, 2, 1)


@MODELS
def test_a_changed_cadence_moves_the_untouched_next_review(db, model):
    REVIEWED[model](review_cadence_months=12, next_review=datetime.date(2031, 3, 31))
    entry = model.objects.get()  # as a form loads it
    entry.review_cadence_months = 6
    entry.save()
    # Last review 31 March 2030, plus six months.
    assert entry.next_review == datetime.date(2030, 9, 30)
    entry.refresh_from_db()
    assert entry.next_review == datetime.date(2030, 9, 30)


@MODELS
def test_a_form_left_without_a_date_saves_the_cadence_date(client, compliance_officer, model):
    entry = REVIEWED[model](review_cadence_months=24, next_review=datetime.date(2031, 1, 1))
    client.force_login(compliance_officer)
    register = registry[model]
    payload = {**form_payload(register, entry, compliance_officer), "next_review": ""}
    response = client.post(reverse(register.url_name("edit"), args=[entry.pk]), payload)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.next_review == add_months(timezone.localdate(), 24)
