"""Internal audits (9.2), nonconformities and corrective action (10.2), continual improvement
(10.1) and AI incidents (A.8.4, EU AI Act Art. 73)."""

from audits.models.audits import *  # noqa: F403
from audits.models.checklist_imports import *  # noqa: F403
from audits.models.clauses import *  # noqa: F403
from audits.models.incidents import *  # noqa: F403
from audits.models.nonconformities import *  # noqa: F403
from audits.models.packs import *  # noqa: F403
from audits.models.reviews import *  # noqa: F403
