"""Create a demo organization and one user per role; running it again changes nothing."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from aims.core import roles

DEMO_PASSWORD = "aims-demo-2026"  # noqa: S105 - printed for the demo, documented in the README
DEMO_USERS = (
    ("compliance", "Claudia", "Brandt", roles.COMPLIANCE_OFFICER),
    ("aiofficer", "Tobias", "Keller", roles.AI_OFFICER),
    ("owner", "Sabine", "Wolff", roles.SYSTEM_OWNER),
    ("auditor", "Martin", "Huber", roles.AUDITOR),
    ("internalauditor", "Ines", "Richter", roles.INTERNAL_AUDITOR),
    ("admin", "Anna", "Schulz", roles.ADMINISTRATOR),
)


class Command(BaseCommand):
    help = "Create the demo organization and one demo user per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if any user account exists."
        )

    def handle(self, *args, if_empty=False, **options):
        User = get_user_model()
        if if_empty and User.objects.exists():
            self.stdout.write("The database has users already; no demo data added.")
        else:
            self.seed(User)
        if User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).exists():
            self.stdout.write(self.style.SUCCESS("Demo logins:"))
            for username, _first, _last, role in DEMO_USERS:
                self.stdout.write(f"  {username:<15} / {DEMO_PASSWORD}   ({role})")

    def seed(self, User):
        with transaction.atomic():
            users = {}
            for username, first, last, role in DEMO_USERS:
                user = User.objects.filter(username=username).first()
                if user is None:
                    user = User.objects.create_user(
                        username,
                        email=f"{username}@rheinwerk-versicherung.example",
                        password=DEMO_PASSWORD,
                        first_name=first,
                        last_name=last,
                        is_staff=role == roles.ADMINISTRATOR,
                    )
                    user.groups.add(Group.objects.get(name=role))
                users[role] = user
            for module in autodiscover_demo_modules():
                module.seed(users)
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))


def autodiscover_demo_modules():
    """Each installed app may have demo.py with seed(users); core itself imports no app."""
    import sys

    from django.apps import apps

    autodiscover_modules("demo")
    return [
        sys.modules[f"{config.name}.demo"]
        for config in apps.get_app_configs()
        if f"{config.name}.demo" in sys.modules
    ]
