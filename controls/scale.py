"""The scaled organisation's own control catalogue next to ISO/IEC 42001 Annex A, its assessed
Statement of Applicability and its evidence with small files and revisions (see
aims/core/scale.py).

`sizes.soa` counts the SoA entries that are assessed (justified, with status, owner and review
dates): the organisation-wide entries first, in catalogue order (each control of the SoA has
one), then per-system entries for the rest.
"""

import contextlib

from django.core.files.uploadedfile import SimpleUploadedFile

from aims.core.roles import AI_OFFICER
from controls import demo
from controls.evidence_files import check_upload
from controls.models import (
    Control,
    ControlObjective,
    Evidence,
    EvidenceRevision,
    Framework,
    ImplementationStatus,
    SoAEntry,
    SoAImport,
)
from controls.services import UnjustifiedEntries

THEMES = (
    ("Governance", "Approve {topic} before use and review it yearly."),
    ("Data management", "Check {topic} for completeness, bias and provenance."),
    ("Model development", "Test {topic} against the acceptance criteria before release."),
    ("Operation", "Monitor {topic} in operation and escalate deviations."),
    ("Third parties", "Agree {topic} with suppliers in the contract."),
    ("Transparency", "Inform affected persons about {topic}."),
    ("Security", "Protect {topic} against manipulation and unauthorised access."),
    ("Incidents", "Record and analyse incidents concerning {topic}."),
)
TOPICS = (
    "training data",
    "model outputs",
    "prompt templates",
    "feature pipelines",
    "human oversight",
    "model documentation",
    "fairness metrics",
    "access rights",
    "retraining triggers",
    "vendor models",
)
STATUSES = (
    (ImplementationStatus.IMPLEMENTED, 45),
    (ImplementationStatus.PARTIAL, 30),
    (ImplementationStatus.PLANNED, 15),
    (ImplementationStatus.NOT_STARTED, 10),
)
EVIDENCE_KINDS = (
    ("Test report", "csv"),
    ("Review minutes", "txt"),
    ("Monitoring summary", "csv"),
    ("Training record", "txt"),
    ("Supplier statement", "txt"),
)


def exists():
    return Control.objects.filter(framework=Framework.OWN).exists() or Evidence.objects.exists()


def seed(plan):
    controls = seed_controls(plan)
    entries = seed_soa(plan)
    # The Annex A assessment was first kept in a spreadsheet.
    plan.imported(
        SoAImport,
        "statement-of-applicability.csv",
        [("Control", "Applicable", "Justification")]
        + [
            (
                e.control.code,
                "yes" if e.applicable else "no",
                e.inclusion_justification or e.exclusion_justification,
            )
            for e in entries[:20]
        ],
        author=plan.compliance,
        days_ago=400,
    )
    seed_evidence(plan, controls, entries)
    # Version 1 of the SoA, issued and approved as the demo's is, where every applicable
    # control is justified (with fewer assessed entries than controls the SoA is unfinished).
    with contextlib.suppress(UnjustifiedEntries):
        demo.seed_version(plan.compliance, plan.users[AI_OFFICER])


def seed_controls(plan):
    rng = plan.rng
    objectives = ControlObjective.objects.bulk_create(
        ControlObjective(framework=Framework.OWN, code=f"OWN-{n + 1}", title=title, position=n + 1)
        for n, (title, _guidance) in enumerate(THEMES)
    )
    controls = []
    for n in range(1, plan.sizes.controls + 1):
        theme = rng.randrange(len(THEMES))
        topic = rng.choice(TOPICS)
        controls.append(
            Control(
                framework=Framework.OWN,
                code=f"OWN-{n:04d}",
                title=f"{THEMES[theme][0]}: {topic} ({n})",
                guidance=THEMES[theme][1].format(topic=topic),
                objective=objectives[theme],
                position=n,
            )
        )
    controls = plan.create(Control, controls, days_ago=550)
    # Every control of the SoA's catalogues has its organisation-wide entry (Control.save
    # creates it one by one).
    plan.create(SoAEntry, [SoAEntry(control=control) for control in controls], days_ago=550)
    # Some risks are treated with own controls too: they drive the controls' SoA entries.
    risks = plan.objects.get("risks", [])
    Control.risks.through.objects.bulk_create(
        (
            Control.risks.through(control_id=rng.choice(controls).pk, risk_id=risk.pk)
            for risk in risks
            if rng.random() < 0.5
        ),
        batch_size=500,
        ignore_conflicts=True,
    )
    plan.objects["controls"] = controls
    return controls


def seed_soa(plan):
    """Assess `sizes.soa` entries: the organisation-wide ones first, then per-system ones."""
    rng = plan.rng
    organisation = list(
        SoAEntry.objects.organization_wide()
        .filter(control__framework__in=Framework.in_soa())
        .select_related("control")
        .order_by("control__framework", "control__position", "control__code")
    )
    assessed = organisation[: plan.sizes.soa]
    controls = [entry.control for entry in organisation]
    systems = plan.objects["systems"]
    pairs = set()
    overrides = []
    while len(assessed) + len(overrides) < plan.sizes.soa and controls and systems:
        control, system = rng.choice(controls), rng.choice(systems)
        if (control.pk, system.pk) not in pairs:
            pairs.add((control.pk, system.pk))
            overrides.append(SoAEntry(control=control, ai_system=system, owner=system.owner))
    for entry in assessed + overrides:
        assess(plan, entry, rng)
    fields = [
        "applicable",
        "inclusion_justification",
        "exclusion_justification",
        "status",
        "owner",
        "last_review",
        "next_review",
    ]
    SoAEntry.objects.bulk_update(assessed, fields, batch_size=500)
    SoAEntry.history.bulk_history_create(assessed, batch_size=500, update=True)
    overrides = plan.create(SoAEntry, overrides, days_ago=300)
    entries = assessed + overrides
    plan.objects["soa_entries"] = entries
    plan.track(SoAEntry, entries)
    return entries


def assess(plan, entry, rng):
    scope = entry.ai_system.name if entry.ai_system_id else "the organisation"
    if rng.random() < 0.03:
        entry.applicable = False
        entry.exclusion_justification = (
            f"Not relevant to {scope}: the systems concerned are bought and run by suppliers."
        )
    else:
        entry.inclusion_justification = (
            f"Needed to treat the AI risks of {scope} and to meet the requirements of the "
            "supervisor and the customers."
        )
    entry.status = rng.choices(STATUSES, weights=[w for _, w in STATUSES])[0][0]
    entry.owner = entry.owner or plan.compliance
    reviewed = rng.randrange(10, 400)
    entry.last_review = plan.day(reviewed)
    entry.next_review = plan.day(reviewed - 365)
    entry._history_user = plan.compliance
    entry._history_date = plan.moment(reviewed)


def seed_evidence(plan, controls, entries):
    """Evidence items added by the owners of the systems they concern, each with one or two
    small files whose SHA-256 is computed as on upload, and linked to a control, its SoA
    entry, the system and one of the system's risks."""
    rng = plan.rng
    systems = plan.objects["systems"]
    risks_by_system = plan.objects.get("risks_by_system", {})
    entry_of = {entry.control_id: entry for entry in entries if not entry.ai_system_id}
    items, links = [], []
    for n in range(1, plan.sizes.evidence + 1):
        kind, extension = rng.choice(EVIDENCE_KINDS)
        system = rng.choice(systems)
        control = rng.choice(controls) if controls and rng.random() < 0.6 else None
        dated = rng.randrange(10, 500)
        item = Evidence(
            reference=f"EV-{n:04d}",
            title=f"{kind} {system.name}",
            description=f"{kind} for {system.reference}, as filed by the system owner.",
            link=f"https://intranet.rheinwerk-versicherung.example/evidence/{n}"
            if rng.random() < 0.2
            else "",
            evidence_date=plan.day(dated),
            valid_until=plan.day(dated - 365) if rng.random() < 0.8 else None,
            uploaded_by=system.owner,
        )
        item._history_user = system.owner
        item._history_date = plan.moment(dated)
        items.append(item)
        links.append((system, control, extension, rng.randint(1, 2) if rng.random() < 0.3 else 1))
    items = plan.create(Evidence, items)
    link_evidence(items, links, entry_of, risks_by_system)
    add_files(plan, items, links)
    plan.objects["evidence"] = items


def link_evidence(items, links, entry_of, risks_by_system):
    through = Evidence.ai_systems.through
    through.objects.bulk_create(
        (
            through(evidence_id=item.pk, aisystem_id=system.pk)
            for item, (system, *_rest) in zip(items, links, strict=True)
        ),
        batch_size=500,
    )
    through = Evidence.controls.through
    through.objects.bulk_create(
        (
            through(evidence_id=item.pk, control_id=control.pk)
            for item, (_system, control, *_rest) in zip(items, links, strict=True)
            if control
        ),
        batch_size=500,
    )
    through = Evidence.soa_entries.through
    through.objects.bulk_create(
        (
            through(evidence_id=item.pk, soaentry_id=entry_of[control.pk].pk)
            for item, (_system, control, *_rest) in zip(items, links, strict=True)
            if control and control.pk in entry_of
        ),
        batch_size=500,
    )
    through = Evidence.risks.through
    through.objects.bulk_create(
        (
            through(evidence_id=item.pk, risk_id=risks_by_system[system.pk].pk)
            for item, (system, *_rest) in zip(items, links, strict=True)
            if system.pk in risks_by_system
        ),
        batch_size=500,
    )


def add_files(plan, items, links):
    """Each revision's file, stored and hashed as an upload is (controls.evidence_files)."""
    revisions = []
    for item, (system, _control, extension, count) in zip(items, links, strict=True):
        for number in range(1, count + 1):
            if extension == "csv":
                content = "check;result;checked on\n" + "".join(
                    f"{system.reference} check {k};{plan.rng.choice(('pass', 'fail'))};"
                    f"{item.evidence_date}\n"
                    for k in range(1, 6)
                )
            else:
                content = (
                    f"{item.title}\nRevision {number} of {item.reference}\n"
                    f"Filed by {item.uploaded_by} on {item.evidence_date}.\n"
                )
            upload = SimpleUploadedFile(
                f"{item.reference.lower()}-r{number}.{extension}", content.encode()
            )
            content_type, sha256 = check_upload(upload)
            revision = EvidenceRevision(
                evidence=item,
                number=number,
                file_name=upload.name,
                content_type=content_type,
                size=upload.size,
                sha256=sha256,
                note="" if number == 1 else "Updated after the review.",
                uploaded_by=item.uploaded_by,
            )
            revision.file.save("upload", upload, save=False)
            revisions.append(revision)
    EvidenceRevision.objects.bulk_create(revisions, batch_size=500)
