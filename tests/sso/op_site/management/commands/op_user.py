"""Create or change a user of the test provider: password, e-mail, name and groups."""

from django.contrib.auth.models import Group, User
from django.core.management import BaseCommand


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", default="provider-password")
        parser.add_argument("--groups", default="", help="comma-separated group names")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--rename", default="", help="a new user name, same account")

    def handle(
        self, *args, username, password, groups, email, first_name, last_name, rename, **options
    ):
        user, _created = User.objects.get_or_create(username=username)
        user.set_password(password)
        user.email = email or f"{username}@example.org"
        user.first_name, user.last_name = first_name, last_name
        if rename:
            user.username = rename
        user.save()
        names = [name for name in groups.split(",") if name]
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in names])
        self.stdout.write(str(user.pk))
