"""Fill an empty database with a scaled organisation for load tests and benchmarks."""

import time

from django.core.management.base import BaseCommand, CommandError

from aims.core.management.commands.seed_demo import DEMO_PASSWORD
from aims.core.scale import USERNAME_PREFIX, ScaleDataExists, Sizes, seed_scale


class Command(BaseCommand):
    help = (
        "Create a scaled organisation (hundreds of AI systems, thousands of risks, controls, "
        "evidence, SoA entries, audits and history) in an empty database. The same seed gives "
        "the same data."
    )

    def add_arguments(self, parser):
        defaults = Sizes()
        for name in Sizes.names():
            parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name), metavar="N")
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, seed, **options):
        sizes = Sizes(**{name: options[name] for name in Sizes.names()})
        if any(getattr(sizes, name) < 0 for name in Sizes.names()) or sizes.systems < 1:
            raise CommandError("Sizes cannot be negative, and at least one AI system is needed.")
        start = time.perf_counter()
        try:
            plan = seed_scale(sizes, seed, log=lambda app: self.stdout.write(f"  {app} …"))
        except ScaleDataExists as occupied:
            raise CommandError(
                f"The database holds register data already ({occupied}); seed_scale fills an "
                "empty database only. Use a new database (e.g. DATABASE_URL=sqlite:///scale."
                "sqlite3 and migrate)."
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Scaled organisation in place after {time.perf_counter() - start:.0f} s: "
                + ", ".join(f"{getattr(sizes, name):,} {name}" for name in Sizes.names())
            )
        )
        people = [*plan.users.values(), *plan.owners]
        self.stdout.write(
            f"Logins ({USERNAME_PREFIX}…, password {DEMO_PASSWORD}): "
            + ", ".join(user.username for user in people)
        )
