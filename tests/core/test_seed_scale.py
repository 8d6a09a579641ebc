"""seed_scale: a scaled organisation of the size asked for, the same for the same seed, with
system owners who may change only their own systems, and pages that render on it."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from aims.core.models import User
from aims.core.registry import registry
from aims.inventory.models import AISystem, Classification
from audits.models import Audit, AuditResult, ChecklistItem, Nonconformity
from controls.evidence_files import file_sha256
from controls.models import Control, Evidence, EvidenceRevision, SoAEntry
from controls.models.evidence import evidence_storage
from risks.models import Risk, TreatmentAction

SIZES = {
    "systems": 60,
    "risks": 120,
    "controls": 30,
    "evidence": 25,
    "soa": 90,
    "audits": 4,
    "checklist": 20,
    "history": 150,
}


def seed_scale(seed=42, **sizes):
    out = StringIO()
    options = {**SIZES, **sizes}
    call_command(
        "seed_scale", *(f"--{k}={v}" for k, v in options.items()), f"--seed={seed}", stdout=out
    )
    return out.getvalue()


def snapshot():
    return (
        list(
            AISystem.objects.order_by("reference").values_list(
                "reference", "name", "owner__username"
            )
        ),
        list(Risk.objects.order_by("reference").values_list("reference", "title", "status")),
        list(Evidence.objects.order_by("reference").values_list("reference", "title")),
        list(
            EvidenceRevision.objects.order_by("evidence__reference", "number").values_list(
                "sha256", flat=True
            )
        ),
    )


@pytest.mark.django_db
def test_the_organisation_has_the_sizes_asked_for():
    output = seed_scale()
    assert AISystem.objects.count() == 60
    # The demo's classifies a few systems again.
    assert Classification.objects.filter(number=1).count() == 60
    assert Risk.objects.count() == 120
    assert TreatmentAction.objects.exists()
    assert Control.objects.filter(framework="own").count() == 30
    # Training records, documents and incidents file their own evidence besides.
    scaled = Evidence.objects.filter(description__endswith="as filed by the system owner.")
    assert scaled.count() == 25
    assert EvidenceRevision.objects.filter(number=1, evidence__in=scaled).count() == 25
    # 38 Annex A + 30 own controls have their organisation-wide entry; the rest of the 90
    # assessed entries are per-system ones.
    assert SoAEntry.objects.count() == 90
    assert SoAEntry.objects.filter(ai_system__isnull=False).count() == 90 - 68
    assert not SoAEntry.objects.filter(inclusion_justification="", exclusion_justification="")
    # Besides the demo's audit, with its findings, corrective actions and improvement.
    assert Audit.objects.exclude(reference="AUD-2026-01").count() == 4
    assert ChecklistItem.objects.exclude(audit__reference="AUD-2026-01").count() == 20
    assert ChecklistItem.objects.exclude(result="").exists()
    findings = ChecklistItem.objects.filter(result__in=AuditResult.nonconformities())
    assert Nonconformity.objects.filter(checklist_item__in=findings).count() == findings.count()
    changes = sum(model.history.filter(history_type="~").count() for model in (AISystem, Risk))
    assert changes > 0
    assert "Scaled organisation in place" in output
    assert "scale-owner-01" in output


@pytest.mark.django_db
def test_evidence_files_hold_the_hash_the_portal_stores():
    seed_scale()
    for revision in EvidenceRevision.objects.all():
        assert file_sha256(evidence_storage(), revision.file.name) == revision.sha256
        assert revision.size == evidence_storage().size(revision.file.name)


@pytest.mark.django_db
def test_a_second_run_refuses_and_changes_nothing():
    seed_scale()
    with pytest.raises(CommandError, match="holds register data already"):
        seed_scale(seed=7)
    assert Risk.objects.count() == 120


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_organisation():
    def seeded(seed):
        savepoint = transaction.savepoint()
        seed_scale(seed=seed)
        data = snapshot()
        transaction.savepoint_rollback(savepoint)
        return data

    first = seeded(42)
    assert first == seeded(42)
    assert first[1] != seeded(7)[1]


@pytest.mark.django_db
def test_system_owners_change_only_their_own_systems_risks_and_evidence():
    seed_scale()
    owners = list(User.objects.filter(username__startswith="scale-owner-"))
    assert len(owners) >= 2
    for owner in owners:
        systems = AISystem.objects.restrict(owner, "change")
        assert set(systems) == set(AISystem.objects.filter(owner=owner))
        # One business unit each: every system the owner may change is in the same unit.
        assert len({system.business_unit for system in systems}) <= 1
        assert set(Risk.objects.restrict(owner, "change")) == set(Risk.objects.filter(owner=owner))
        assert set(Evidence.objects.restrict(owner, "change")) == set(
            Evidence.objects.filter(uploaded_by=owner)
        )
    assert sum(AISystem.objects.restrict(owner, "change").count() for owner in owners) == 60


@pytest.mark.django_db
def test_register_pages_render_on_the_scaled_data(client):
    seed_scale()
    client.force_login(User.objects.get(username="scale-compliance"))
    response = client.get(reverse("risks:risk_list"))
    assert response.status_code == 200
    assert "R-0001" in response.content.decode()
    for name in ("inventory:aisystem_list", "controls:evidence_list", "audits:audit_list"):
        assert client.get(reverse(name)).status_code == 200
    owner = User.objects.get(username="scale-owner-01")
    system = AISystem.objects.filter(owner=owner).first()
    client.force_login(owner)
    assert client.get(reverse("inventory:aisystem_edit", args=[system.pk])).status_code == 200
    other = AISystem.objects.exclude(owner=owner).first()
    assert client.get(reverse("inventory:aisystem_edit", args=[other.pk])).status_code == 403


@pytest.mark.django_db
def test_every_register_has_entries_whose_pages_render(client):
    seed_scale()
    client.force_login(User.objects.get(username="scale-compliance"))
    for register in registry:
        first = register.model._default_manager.order_by("pk").first()
        assert first is not None, register.label
        url = reverse(register.url_name("detail"), args=[first.pk])
        assert client.get(url).status_code == 200, url
