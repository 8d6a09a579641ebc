"""The scaled organisation's context: issues, interested parties and their requirements, the
scope, the AI policy, roles and the RACI matrix: a few entries that do not grow with the
organisation, the demo's, entered through the app's services (see aims/core/scale.py)."""

from aims.context import demo
from aims.context.models import ContextIssue


def exists():
    return ContextIssue.objects.exists()


def seed(plan):
    demo.seed(plan.demo_users())
