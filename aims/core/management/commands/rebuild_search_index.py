"""Write the global search index afresh from every register (after loading fixtures or data
written in bulk, or when in doubt)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from aims.core import search_index


class Command(BaseCommand):
    help = "Rebuild the global search index from every register."

    def handle(self, *args, **options):
        with transaction.atomic():
            total = search_index.rebuild()
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {total} entries."))
