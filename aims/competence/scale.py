"""The scaled organisation's competence requirements, people and training records: a few entries
that do not grow with the organisation, the demo's, entered through the app's services (see
aims/core/scale.py)."""

from aims.competence import demo
from aims.competence.models import CompetenceRequirement, TrainingImport, TrainingRecord


def exists():
    return CompetenceRequirement.objects.exists()


def seed(plan):
    demo.seed(plan.demo_users())
    # The training records as HR exports them, imported once.
    records = TrainingRecord.objects.select_related("person").order_by("pk")
    plan.imported(
        TrainingImport,
        "hr-training-export.csv",
        [("Name", "Course", "Completed")]
        + [(r.person.name, r.course, str(r.completed_on)) for r in records],
        author=plan.compliance,
        days_ago=60,
    )
