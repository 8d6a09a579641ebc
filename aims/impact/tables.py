"""List columns of the impact assessments."""

import django_tables2 as tables

from aims.core.tables import RegisterTable
from aims.impact.models import Impact, ImpactAssessment


class ImpactAssessmentTable(RegisterTable):
    reference = tables.Column(linkify=True)
    system = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = ImpactAssessment
        fields = (
            "reference",
            "system",
            "number",
            "status",
            "overall_rating",
            "owner",
            "next_review",
            "reassessment_due",
        )


class ImpactTable(RegisterTable):
    area = tables.Column(linkify=True)
    assessment = tables.Column(linkify=True)
    risk = tables.Column(linkify=True)
    # A join does not take the assessment's manager along: its system is named too.
    prefetch = ("assessment__system",)

    class Meta(RegisterTable.Meta):
        model = Impact
        fields = (
            "area",
            "affected_group",
            "assessment",
            "likelihood",
            "severity",
            "control",
            "risk",
        )
