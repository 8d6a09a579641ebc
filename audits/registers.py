"""The audits app's registers, declared by area (autodiscovered by core)."""

from audits.incidents import registers as incident_registers  # noqa: F401
from audits.internal import registers as internal_audit_registers  # noqa: F401
from audits.nonconformities import registers as nonconformity_registers  # noqa: F401
from audits.packs import registers as pack_registers  # noqa: F401
from audits.review import registers as review_registers  # noqa: F401
