"""The global search index. On PostgreSQL a GIN index over the entries' full-text vector (the
same expression aims/core/search.py queries); other databases search with LIKE and get none.
The entries themselves are written after migrating (aims/core/search_index.py
`index_if_empty`), when every register's table has its current columns."""

import django.db.models.deletion
from django.db import migrations, models

VECTOR_INDEX = "search_entry_vector"


def vector_index():
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return GinIndex(
        SearchVector("reference", "title", weight="A", config="simple")
        + SearchVector("text", weight="B", config="simple"),
        name=VECTOR_INDEX,
    )


def add_vector_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("core", "SearchEntry"), vector_index())


def remove_vector_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("core", "SearchEntry"), vector_index())


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0009_reminder_engine"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("object_id", models.PositiveBigIntegerField()),
                (
                    "reference",
                    models.CharField(blank=True, max_length=100, verbose_name="reference"),
                ),
                ("title", models.CharField(max_length=500, verbose_name="title")),
                ("text", models.TextField(blank=True, verbose_name="text")),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
            ],
            options={
                "verbose_name": "search entry",
                "verbose_name_plural": "search entries",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("content_type", "object_id"), name="one_search_entry_per_object"
                    )
                ],
            },
        ),
        migrations.RunPython(add_vector_index, remove_vector_index, elidable=False),
    ]
