"""A scaled organisation for load tests and benchmarks: `seed_scale` fills an empty database
with hundreds of AI systems, thousands of risks and their controls, evidence, SoA entries,
audits and history.

Each app contributes a `scale.py` with `seed(plan)` (and `exists()`: whether it holds data
already); core runs them in the order of INSTALLED_APPS, as `seed_demo` runs `demo.py`. Rows
are written with bulk_create in batches, with their history rows and the owners' object
permissions. Everything is drawn from one `random.Random(seed)` and dated from a fixed
reference day, so a seed gives the same references, titles and dates on every run; only the
few entries of the registers that do not grow with the organisation (context, impact
assessments, objectives, competence, communication, documents…) are the demo's, written through
its services and dated from today as the demo is.
"""

import copy
import hashlib
import random
import sys
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from simple_history.utils import bulk_create_with_history

from aims.core import roles, search_index
from aims.core.management.commands.seed_demo import DEMO_PASSWORD
from aims.core.permissions import grant_owner_permissions_in_bulk

REFERENCE_DATE = date(2026, 11, 30)
BATCH = 500
USERNAME_PREFIX = "scale-"
# The system owners' business units: each owner keeps the systems (and their risks and
# evidence) of one unit.
OWNERS = (
    ("Lena", "Bauer", "Claims"),
    ("Jonas", "Fischer", "Underwriting"),
    ("Mia", "Weber", "Customer Service"),
    ("Felix", "Schneider", "HR"),
    ("Hannah", "Meyer", "Fraud Management"),
    ("Paul", "Wagner", "Finance"),
    ("Emma", "Becker", "Marketing"),
    ("Leon", "Hoffmann", "IT Operations"),
    ("Sophie", "Schulz", "Actuarial"),
    ("Lukas", "Koch", "Legal"),
    ("Marie", "Richter", "Health Underwriting"),
    ("Noah", "Klein", "Sales"),
    ("Lea", "Wolf", "Procurement"),
    ("Elias", "Schröder", "Risk Management"),
    ("Clara", "Neumann", "Investments"),
    ("Ben", "Schwarz", "Reinsurance"),
    ("Anna", "Zimmermann", "Data & Analytics"),
    ("David", "Braun", "Compliance"),
    ("Laura", "Krüger", "Corporate Communications"),
    ("Tim", "Hofmann", "Facility Management"),
)
STAFF = (
    ("compliance", "Katrin", "Vogel", roles.COMPLIANCE_OFFICER),
    ("aiofficer", "Stefan", "Lange", roles.AI_OFFICER),
    ("auditor", "Petra", "Engel", roles.AUDITOR),
    ("internalauditor", "Frank", "Seidel", roles.INTERNAL_AUDITOR),
)
CHANGE_REASONS = (
    "Periodic review",
    "Updated after the quarterly review meeting",
    "Owner's annual review",
    "Corrected after an internal audit finding",
    "Aligned with the revised AI policy",
)


@dataclass(frozen=True)
class Sizes:
    systems: int = 500
    risks: int = 10_000
    controls: int = 1_000
    evidence: int = 2_000
    soa: int = 1_000
    audits: int = 50
    checklist: int = 2_000
    history: int = 20_000

    @classmethod
    def names(cls):
        return [f.name for f in fields(cls)]


class ScaleDataExists(Exception):
    """The database holds register data already: scale data goes into an empty one only."""


@dataclass
class Plan:
    """What the apps' `seed(plan)` share: the sizes, the random source, the users, what earlier
    apps created (`objects`) and what gets change history (`tracked`)."""

    sizes: Sizes
    rng: random.Random
    users: dict
    owners: list
    # The business unit of each owner, in the order of `owners`.
    units: list = field(default_factory=list)
    objects: dict = field(default_factory=dict)
    tracked: list = field(default_factory=list)

    @property
    def compliance(self):
        return self.users[roles.COMPLIANCE_OFFICER]

    def day(self, days_ago):
        """The day `days_ago` before the reference day (negative: after it)."""
        return REFERENCE_DATE - timedelta(days=days_ago)

    def moment(self, days_ago):
        """A working-hours time on that day, as history records it."""
        minutes = self.rng.randrange(8 * 60, 18 * 60)
        at = datetime.combine(self.day(days_ago), time(minutes // 60, minutes % 60))
        return timezone.make_aware(at, timezone.get_default_timezone())

    def create(self, model, objects, *, author=None, days_ago=400):
        """Write `objects` with their creation history (by `author`, or the object's
        `_history_user`) and give the owners their object permissions."""
        objects = list(objects)
        for obj in objects:
            if not hasattr(obj, "_history_date"):
                obj._history_date = self.moment(days_ago)
        created = bulk_create_with_history(
            objects, model, batch_size=BATCH, default_user=author or self.compliance
        )
        grant_owner_permissions_in_bulk(model, created)
        return created

    def imported(self, model, file_name, rows, *, author, days_ago, **fields):
        """A finished spreadsheet import into a register: `rows` (the header first) as the CSV
        file the user uploaded, stored as the import service stores uploads, and the counts of
        what it read. The entries it brought in are among the seeded ones."""
        content = "".join(";".join(row) + "\n" for row in rows).encode()
        sha256 = hashlib.sha256(content).hexdigest()
        count = len(rows) - 1
        record = model(
            uploaded_by=author,
            file_name=file_name,
            sha256=sha256,
            status=model.Status.IMPORTED,
            progress=100,
            rows_total=count,
            rows_imported=count,
            imported_at=self.moment(days_ago),
            **fields,
        )
        record.file.save(f"{sha256[:32]}.csv", ContentFile(content), save=False)
        record._history_date = record.imported_at
        return self.create(model, [record], author=author)[0]

    def link(self, through, rows):
        """Many-to-many rows, written in batches (no history: the links are as created)."""
        through.objects.bulk_create(rows, batch_size=BATCH)

    def demo_users(self):
        """The users by role as the apps' `demo.seed(users)` takes them. The registers that do
        not grow with the organisation get the demo's entries: its system owner is the owner of
        AIS-001, the system most of those entries concern."""
        systems = self.objects.get("systems")
        owner = systems[0].owner if systems else self.owners[0]
        return {**self.users, roles.SYSTEM_OWNER: owner}

    def track(self, model, objects):
        """Give `objects` change history: `add_change_history` edits them over the year."""
        self.tracked.append((model, list(objects)))


def seed_modules():
    """The apps' scale modules, in the order of INSTALLED_APPS (later ones use earlier data)."""
    autodiscover_modules("scale")
    return [
        sys.modules[f"{config.name}.scale"]
        for config in apps.get_app_configs()
        if f"{config.name}.scale" in sys.modules and config.name != "aims.core"
    ]


def seed_scale(sizes=Sizes(), seed=42, log=lambda message: None):
    """Fill the empty database with the scaled organisation; refuse when it holds data."""
    modules = seed_modules()
    User = get_user_model()
    occupied = [m.__name__.removesuffix(".scale") for m in modules if m.exists()]
    if occupied or User.objects.filter(username__startswith=USERNAME_PREFIX).exists():
        raise ScaleDataExists(", ".join(occupied) or "users")
    # Test data, not secrets: a seeded generator makes it repeatable.
    plan = Plan(sizes=sizes, rng=random.Random(seed), users={}, owners=[])  # noqa: S311
    with transaction.atomic():
        create_users(plan, User)
        for module in modules:
            log(module.__name__.removesuffix(".scale"))
            module.seed(plan)
        add_change_history(plan)
        # Rows written in bulk send no signals: the search index is written once at the end.
        log("search index")
        search_index.rebuild()
    return plan


def create_users(plan, User):
    """A compliance officer, an AI officer, an auditor, an internal auditor and one system owner
    per business unit in use (about one per 25 systems)."""
    # One hash for all: hashing each account's password would take longer than the seeding.
    password = make_password(DEMO_PASSWORD)
    owners = max(2, min(len(OWNERS), plan.sizes.systems // 25))
    people = [(name, first, last, role) for name, first, last, role in STAFF] + [
        (f"owner-{n + 1:02d}", first, last, roles.SYSTEM_OWNER)
        for n, (first, last, _unit) in enumerate(OWNERS[:owners])
    ]
    groups = {group.name: group for group in Group.objects.all()}
    for name, first, last, role in people:
        user = User.objects.create(
            username=f"{USERNAME_PREFIX}{name}",
            first_name=first,
            last_name=last,
            email=f"{name}@scale.rheinwerk-versicherung.example",
            password=password,
        )
        user.groups.add(groups[role])
        if role == roles.SYSTEM_OWNER:
            plan.units.append(OWNERS[len(plan.owners)][2])
            plan.owners.append(user)
        else:
            plan.users[role] = user


def add_change_history(plan):
    """`sizes.history` change rows ("~") over the year before the reference day, by the
    object's owner or the compliance officer, on what the apps asked to track."""
    if not plan.tracked or not plan.sizes.history:
        return
    rows = {}
    for _ in range(plan.sizes.history):
        model, objects = plan.rng.choice(plan.tracked)
        if not objects:
            continue
        obj = copy.copy(plan.rng.choice(objects))
        owner_field = getattr(model, "owner_field", None)
        owner_id = getattr(obj, f"{owner_field}_id", None) if owner_field else None
        obj._history_user = next(
            (user for user in plan.owners if user.pk == owner_id), plan.compliance
        )
        obj._history_date = plan.moment(plan.rng.randrange(1, 365))
        obj._change_reason = plan.rng.choice(CHANGE_REASONS)
        rows.setdefault(model, []).append(obj)
    for model, objects in rows.items():
        model.history.bulk_history_create(objects, batch_size=BATCH, update=True)
