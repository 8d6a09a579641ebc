"""Link the owners that imported registers name without an account to the users they turn out
to be (same e-mail, else the same unique full name), e.g. after their accounts were created."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from aims.core.imports.people import link_named_owners


class Command(BaseCommand):
    help = "Link owners named in imported registers to the portal users they are."

    def add_arguments(self, parser):
        parser.add_argument("--user", help="Link only the entries naming this user (user name).")

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user {options['user']!r}.") from None
        linked = link_named_owners(user)
        self.stdout.write(self.style.SUCCESS(f"{linked} entries linked to their owners."))
