"""The audits app's approvals (autodiscovered by core)."""

from audits.internal import approvals as internal_audit_approvals  # noqa: F401
from audits.review import approvals as review_approvals  # noqa: F401
