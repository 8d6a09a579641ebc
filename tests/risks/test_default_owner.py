"""A new risk has one default owner, whichever way it is created: whoever records it."""

from django.urls import reverse
from django.utils import timezone

from aims.core.dates import add_months
from risks.models import LibraryRisk, Risk
from tests.factories import AISystemFactory, UserFactory, active_criteria


def test_the_form_proposes_the_creator_as_owner_and_lets_them_choose_another(
    client, compliance_officer
):
    colleague = UserFactory()
    client.force_login(compliance_officer)
    address = reverse("risks:risk_add")
    assert client.get(address).context["form"]["owner"].value() == compliance_officer.pk
    chosen = client.get(address, {"owner": colleague.pk}).context["form"]["owner"]
    assert chosen.value() == str(colleague.pk)


def test_a_risk_from_the_library_gets_the_same_owner_and_review_as_one_from_the_form(
    client, compliance_officer
):
    active_criteria()
    system = AISystemFactory()
    entry = LibraryRisk.objects.get(code="prompt-injection")
    client.force_login(compliance_officer)
    client.post(reverse("risks:from_library", args=[entry.pk]), {"ai_systems": [system.pk]})
    risk = Risk.objects.get()
    assert risk.owner == Risk.default_owner(compliance_officer) == compliance_officer
    # The review follows the cadence, as for a risk saved from the form with no date.
    assert risk.next_review == add_months(timezone.localdate(), risk.review_cadence_months)
