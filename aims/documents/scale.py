"""The scaled organisation's controlled documents: a few entries that do not grow with the
organisation, the demo's, entered through the app's services (see aims/core/scale.py)."""

from aims.documents import demo
from aims.documents.models import ControlledDocument


def exists():
    return ControlledDocument.objects.exists()


def seed(plan):
    demo.seed(plan.demo_users())
