"""The SoA list counts an entry's drivers in SQL (`with_driver_count`): the same numbers as
`SoAEntry.driver_count` reads from the links, and the same page."""

import re

import pytest
from django.urls import reverse

from controls.models import Control, Framework, SoAEntry
from controls.tables import SoAEntryTable
from tests.factories import (
    AISystemFactory,
    ImpactAssessmentFactory,
    PartyRequirementFactory,
    RiskFactory,
    SoAEntryFactory,
)

pytestmark = pytest.mark.django_db

CODE = "A.6.2.6"


@pytest.fixture
def linked():
    """Organization-wide and per-system entries of one control, with risks about several
    systems each and the same assessment and requirement linked to more than one entry."""
    first, second, unlinked = AISystemFactory.create_batch(3)
    control = Control.objects.get(code=CODE)
    overrides = {
        system: SoAEntryFactory(
            control=control, ai_system=system, applicable=True, exclusion_justification=""
        )
        for system in (first, second, unlinked)
    }
    RiskFactory(controls=[CODE, "A.6.2.4"]).ai_systems.set([first, second])
    RiskFactory(controls=[CODE]).ai_systems.set([first])
    RiskFactory(controls=[CODE])
    RiskFactory(controls=["A.6.2.4"]).ai_systems.set([second])
    assessments = ImpactAssessmentFactory.create_batch(2)
    requirement = PartyRequirementFactory()
    organization_wide = SoAEntry.objects.get(control=control, ai_system=None)
    organization_wide.impact_assessments.set(assessments)
    organization_wide.requirements.set([requirement])
    organization_wide.legal_requirements.set(
        Control.objects.filter(framework=Framework.EU_AI_ACT)[:2]
    )
    overrides[first].impact_assessments.set(assessments[:1])
    overrides[first].requirements.set([requirement])
    return organization_wide, overrides


def python_count(entry):
    """`driver_count` from the links themselves, on an entry loaded without the annotation."""
    return SoAEntry.objects.get(pk=entry.pk).driver_count


def test_the_annotated_driver_count_equals_the_count_from_the_links(linked):
    organization_wide, overrides = linked
    annotated = {entry.pk: entry.driver_count for entry in SoAEntry.objects.with_driver_count()}
    assert annotated == {entry.pk: python_count(entry) for entry in SoAEntry.objects.all()}
    # Three risks on the control, two assessments, one requirement, two obligations.
    assert annotated[organization_wide.pk] == 8
    first, second, unlinked = overrides.values()
    assert annotated[first.pk] == 2 + 1 + 1
    assert annotated[second.pk] == 1
    assert annotated[unlinked.pk] == 0


def without_tokens(page):
    """The page without its CSRF tokens, which change with every response."""
    return re.sub(
        r'(X-CSRFToken": |name="csrfmiddlewaretoken" value=)"[^"]+"', r"\1", page.content.decode()
    )


def test_the_soa_page_is_the_same_as_with_counts_from_the_links(
    linked, client, compliance_officer, monkeypatch
):
    client.force_login(compliance_officer)
    url = reverse("controls:soaentry_list")
    annotated = without_tokens(client.get(url))
    monkeypatch.setattr(SoAEntryTable, "annotate", staticmethod(lambda queryset: queryset))
    from_links = without_tokens(client.get(url))
    assert "None: why is it included?" in annotated
    assert annotated == from_links
