"""The global search: every register the user may see, through the permission layer, from an
index that follows every save and delete."""

from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aims.core import search_index
from aims.core.models import SearchEntry
from aims.core.registry import registry
from aims.inventory.models import AISystem
from tests.conftest import PERSONAS
from tests.factories import (
    AISystemFactory,
    ContextIssueFactory,
    EvidenceFactory,
    ModelVersionFactory,
    RiskFactory,
    TreatmentActionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SEARCH = reverse("core:search")


def search(client, user, query):
    client.force_login(user)
    return client.get(SEARCH, {"q": query})


def found(response):
    """The detail URLs the results page links to."""
    return {hit.url for group in response.context["groups"] for hit in group.hits}


def entry(obj):
    return SearchEntry.objects.get(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    )


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "no_role"])
def test_each_persona_finds_exactly_what_they_may_see(client, make_user, persona):
    user = make_user(persona)
    other = UserFactory(role=PERSONAS["system_owner"])
    objects = [
        AISystemFactory(name="Kranich scoring", owner=user),
        AISystemFactory(name="Kranich pricing", owner=other),
        RiskFactory(title="Kranich drift", owner=user),
        RiskFactory(title="Kranich bias", owner=other),
        EvidenceFactory(title="Kranich test report", uploaded_by=user),
        EvidenceFactory(title="Kranich audit log", uploaded_by=other),
    ]
    visible = {
        obj.get_absolute_url()
        for obj in objects
        if type(obj)._default_manager.restrict(user).filter(pk=obj.pk).exists()
    }

    response = search(client, user, "kranich")

    assert response.status_code == 200
    assert found(response) == visible


def test_an_owner_finds_their_own_system_and_risk_but_not_another_owners(client):
    # Without a role that reads the whole register, an owner's scope is what they own.
    owner, other = UserFactory(), UserFactory()
    mine = [AISystemFactory(name="Reiher claims", owner=owner), RiskFactory(title="Reiher leak")]
    mine[1].owner = owner
    mine[1].save()
    AISystemFactory(name="Reiher pricing", owner=other)
    RiskFactory(title="Reiher bias", owner=other)

    response = search(client, owner, "reiher")

    assert found(response) == {obj.get_absolute_url() for obj in mine}


def test_an_owner_finds_only_the_evidence_they_added(client, system_owner):
    own = EvidenceFactory(title="Möwe penetration test", uploaded_by=system_owner)
    EvidenceFactory(title="Möwe supplier audit")

    assert found(search(client, system_owner, "möwe")) == {own.get_absolute_url()}


def test_a_reference_opens_the_entry(client, compliance_officer):
    risk = RiskFactory()

    response = search(client, compliance_officer, risk.reference.lower())

    assert response.status_code == 302
    assert response.url == risk.get_absolute_url()


def test_a_reference_outside_the_scope_is_not_found(client):
    owner = UserFactory()
    system = AISystemFactory(owner=UserFactory())

    response = search(client, owner, system.reference)

    assert response.status_code == 200
    assert response.context["groups"] == []
    assert "Nothing found" in response.content.decode()


def test_results_are_grouped_by_register_and_capped_with_a_link_to_the_list(
    client, compliance_officer
):
    AISystemFactory.create_batch(7, purpose="Prüft Schadensmeldungen auf Zwergbetrug.")
    issue = ContextIssueFactory(description="Zwergbetrug in Kfz-Schäden nimmt zu.")

    response = search(client, compliance_officer, "Zwergbetrug")

    groups = {group.register.model: group for group in response.context["groups"]}
    assert set(groups) == {AISystem, type(issue)}
    systems = groups[AISystem]
    assert systems.total == 7 and len(systems.hits) == 5
    assert systems.list_url == f"{reverse('inventory:aisystem_list')}?q=Zwergbetrug"
    page = response.content.decode()
    assert f'href="{systems.list_url}"' in page
    assert "<mark>Zwergbetrug</mark>" in page
    assert len(groups[type(issue)].hits) == 1


def test_words_are_matched_at_their_beginning_and_all_must_occur(client, compliance_officer):
    system = AISystemFactory(name="Schadenprognose", purpose="Schätzt Reserven für Großschäden.")
    AISystemFactory(name="Schadenprognose alt", purpose="Abgelöst.")

    assert found(search(client, compliance_officer, "schadenprog reserv")) == {
        system.get_absolute_url()
    }


def test_german_umlauts_are_found(client, compliance_officer):
    risk = RiskFactory(title="Übermäßige Datenerhebung", description="Größere Bußgelder drohen.")

    for query in ("Übermäßige", "Bußgeld", "größere"):
        assert risk.get_absolute_url() in found(search(client, compliance_officer, query))


def test_html_in_a_title_is_escaped(client, compliance_officer):
    RiskFactory(title="<script>alert(1)</script> Sturmflut")

    page = search(client, compliance_officer, "Sturmflut").content.decode()

    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_query_is_echoed_escaped(client, compliance_officer):
    page = search(client, compliance_officer, '<b>"Möwe"</b>').content.decode()

    assert "<b>&quot;Möwe" not in page
    assert "&lt;b&gt;&quot;Möwe&quot;&lt;/b&gt;" in page
    assert "Nothing found" in page


def test_the_empty_search_asks_for_a_word(client, compliance_officer):
    response = search(client, compliance_officer, "   ")

    assert response.status_code == 200
    assert "Type a word" in response.content.decode()


def test_punctuation_alone_finds_nothing(client, compliance_officer):
    AISystemFactory()

    for query in ("&", "'", "\\", "!:*", "a\x00b"):
        assert search(client, compliance_officer, query).status_code == 200


def test_the_search_requires_login(client):
    response = client.get(SEARCH, {"q": "x"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_index_follows_save_rename_and_delete(compliance_officer):
    system = AISystemFactory(name="Falke", purpose="Liest Rechnungen.")
    assert entry(system).title == "Falke"
    assert "Liest Rechnungen." in entry(system).text

    system.name = "Habicht"
    system.save()
    assert entry(system).title == "Habicht"

    pk = system.pk
    system.delete()
    assert not SearchEntry.objects.filter(object_id=pk, title="Habicht").exists()


def test_an_entry_quoting_another_follows_its_rename():
    risk = RiskFactory(title="Kiebitz")
    action = TreatmentActionFactory(risk=risk)
    version = ModelVersionFactory(system=AISystemFactory(name="Star"))
    assert "Kiebitz" in entry(action).text

    risk.title = "Austernfischer"
    risk.save()
    version.system.name = "Stieglitz"
    version.system.save()

    assert "Austernfischer" in entry(action).text
    assert "Stieglitz" in entry(version).text


def test_a_deleted_entry_is_no_longer_found(client, compliance_officer):
    system = AISystemFactory(name="Eisvogel")
    system.delete()

    assert found(search(client, compliance_officer, "Eisvogel")) == set()


def test_rebuilding_writes_one_entry_per_register_entry():
    AISystemFactory(name="Kormoran")
    RiskFactory(title="Kormoran")
    SearchEntry.objects.all().delete()

    call_command("rebuild_search_index", stdout=StringIO())

    expected = sum(register.model._default_manager.count() for register in registry)
    assert SearchEntry.objects.count() == expected
    assert SearchEntry.objects.filter(title="Kormoran").count() == 2


def test_entries_created_in_bulk_are_indexed_by_index_objects():
    systems = AISystem.objects.bulk_create(
        [AISystem(reference=f"AIS-9{n:03d}", name=f"Reiher {n}") for n in range(3)]
    )
    search_index.index_objects(AISystem, systems)

    assert SearchEntry.objects.filter(title__startswith="Reiher ").count() == 3


def test_the_search_page_costs_a_fixed_number_of_queries(client, system_owner):
    # A scoped user: each register's scope is a subquery of the one search query.
    for n in range(3):
        AISystemFactory(name=f"Seeadler {n}", owner=system_owner)
        RiskFactory(title=f"Seeadler {n}", owner=system_owner)
        EvidenceFactory(title=f"Seeadler {n}", uploaded_by=system_owner)
    client.force_login(system_owner)
    client.get(SEARCH, {"q": "Seeadler"})  # fills the process's caches (content types)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(SEARCH, {"q": "Seeadler"})

    assert response.context["total"] == 9
    assert len(captured) == 8, [q["sql"][:120] for q in captured]
