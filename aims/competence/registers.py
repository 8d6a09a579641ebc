"""Registers of this app on the register machinery."""

from django.utils.translation import gettext_lazy as _

from aims.competence import filters, forms, tables
from aims.competence.attention import competence_attention
from aims.competence.matrix import cell, with_records, with_scope
from aims.competence.models import (
    EXPIRING_DAYS,
    CompetenceRequirement,
    Person,
    TrainingImport,
    TrainingRecord,
)
from aims.competence.services import expiring_records, training_reminder_recipients
from aims.core.registry import registry
from aims.core.reminders import Due
from aims.core.roles import READ_ONLY_RECORDS


def person_competence(person, user):
    """The requirements that apply to the person, with their state, for the person's page."""
    person = with_records(Person.objects.filter(pk=person.pk)).get()
    requirements = with_scope(CompetenceRequirement.objects.restrict(user))
    cells = [cell(person, requirement) for requirement in requirements]
    return {"competence": [c for c in cells if c.state]}


registry.register(
    CompetenceRequirement,
    table=tables.CompetenceRequirementTable,
    filterset=filters.CompetenceRequirementFilterSet,
    form=forms.CompetenceRequirementForm,
    search_fields=("reference", "title", "satisfied_by"),
    area="context",
    url_prefix="requirements",
)
registry.register(
    Person,
    table=tables.PersonTable,
    filterset=filters.PersonFilterSet,
    form=forms.PersonForm,
    search_fields=("name", "email", "unit"),
    area="context",
    url_prefix="people",
    related=(("records", "person"),),
    extra_context=person_competence,
)
registry.register(
    TrainingRecord,
    table=tables.TrainingRecordTable,
    filterset=filters.TrainingRecordFilterSet,
    form=forms.TrainingRecordForm,
    search_fields=("course", "provider", "person__name"),
    area="context",
    url_prefix="training",
    due=(
        Due(
            "runs_out",
            to=training_reminder_recipients,
            label=_("Training runs out"),
            only=expiring_records,
            days=EXPIRING_DAYS,
            parent="person",
        ),
    ),
)
registry.register(
    TrainingImport,
    table=tables.TrainingImportTable,
    filterset=filters.TrainingImportFilterSet,
    form=None,  # imports come from the import wizard
    search_fields=("file_name", "sha256"),
    area="context",
    url_prefix="imports",
    roles=READ_ONLY_RECORDS,
    related=(("records", "source_import"),),
    in_menu=False,
)
registry.add_link("context", _("Competence matrix"), "competence:matrix", "competence.view_person")
registry.add_link(
    "context",
    _("Import training records"),
    "competence:import_upload",
    "competence.add_trainingrecord",
)
registry.attention(competence_attention)
