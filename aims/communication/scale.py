"""The scaled organisation's communication plan and records: a few entries that do not grow with
the organisation, the demo's, entered through the app's services (see aims/core/scale.py)."""

from aims.communication import demo
from aims.communication.models import CommunicationPlanItem


def exists():
    return CommunicationPlanItem.objects.exists()


def seed(plan):
    demo.seed(plan.demo_users())
