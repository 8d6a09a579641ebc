"""The scaled organisation's AI objectives, their KPIs and measurements: a few entries that do
not grow with the organisation, the demo's, entered through the app's services (see
aims/core/scale.py)."""

from aims.objectives import demo
from aims.objectives.models import AIObjective


def exists():
    return AIObjective.objects.exists()


def seed(plan):
    demo.seed(plan.demo_users())
