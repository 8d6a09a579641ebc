"""Shared set-up of the internal audit tests."""

from audits.models import Clause
from controls.models import Control


def clauses(*codes):
    return list(Clause.objects.filter(code__in=codes))


def controls(*codes):
    return list(Control.objects.filter(framework="iso42001", code__in=codes))


def audit_payload(audit=None, **values):
    """A POST for the audit form: the audit's values (or a new audit's), overridden by `values`."""
    payload = {
        "title": "Audit of planning",
        "audit_type": "internal",
        "programme": "",
        "clauses": [],
        "controls": [],
        "ai_systems": [],
        "organizational_units": "",
        "criteria": "ISO/IEC 42001",
        "lead_auditor": "",
        "team": [],
        "auditees": "",
        "planned_start": "2027-03-01",
        "planned_end": "2027-03-05",
        "actual_start": "",
        "actual_end": "",
        "conclusion": "",
        "loaded_version": "",
    }
    if audit is not None:
        payload.update(
            title=audit.title,
            audit_type=audit.audit_type,
            programme=audit.programme_id or "",
            clauses=[c.pk for c in audit.clauses.all()],
            controls=[c.pk for c in audit.controls.all()],
            ai_systems=[s.pk for s in audit.ai_systems.all()],
            lead_auditor=audit.lead_auditor_id or "",
            team=[u.pk for u in audit.team.all()],
            planned_start=audit.planned_start.isoformat(),
            planned_end=audit.planned_end.isoformat(),
            loaded_version=audit.version,
        )
    payload.update(values)
    return payload
