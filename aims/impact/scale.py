"""The scaled organisation's impact assessments and their impacts: a few entries that do not
grow with the organisation, the demo's, entered through the app's services (see
aims/core/scale.py)."""

import contextlib

from django.core.exceptions import ValidationError
from django.db import transaction

from aims.impact import demo
from aims.impact.models import ImpactAssessment


def exists():
    return ImpactAssessment.objects.exists()


def seed(plan):
    # The demo's assessments fit its kinds of AIS-001, AIS-003 and AIS-005; where a seed drew
    # systems whose assessments ask for more (a FRIA), the register stays empty.
    with contextlib.suppress(ValidationError), transaction.atomic():
        demo.seed(plan.demo_users())
