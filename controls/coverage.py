"""Coverage of each catalogue by implemented controls of the Statement of Applicability.

An Annex A control counts by its own organization-wide entry. An ISO 27001 control or an
AI Act requirement counts as covered when one of the SoA controls mapped to it is applicable
and implemented, as partly covered when one is partially implemented.
"""

from dataclasses import dataclass, field

from controls.models import Control, Framework, ImplementationStatus, SoAEntry

COVERED, PARTIAL, GAP, EXCLUDED = "covered", "partial", "gap", "excluded"


@dataclass
class Requirement:
    control: Control
    state: str
    # (SoA control, its organization-wide entry) for mapped controls; the control itself for
    # Annex A.
    by: list = field(default_factory=list)


@dataclass
class FrameworkCoverage:
    framework: str
    label: str
    requirements: list

    def count(self, state):
        return sum(1 for r in self.requirements if r.state == state)

    @property
    def covered(self):
        return self.count(COVERED)

    @property
    def partial(self):
        return self.count(PARTIAL)

    @property
    def excluded(self):
        return self.count(EXCLUDED)

    @property
    def measured(self):
        """Requirements that count: all but excluded Annex A controls."""
        return len(self.requirements) - self.excluded

    @property
    def percent(self):
        return round(100 * self.covered / self.measured) if self.measured else 0

    @property
    def gaps(self):
        return [r for r in self.requirements if r.state in (GAP, PARTIAL)]


def state_of(entries):
    applicable = [e for e in entries if e is not None and e.applicable]
    statuses = {e.status for e in applicable}
    if ImplementationStatus.IMPLEMENTED in statuses:
        return COVERED
    if ImplementationStatus.PARTIAL in statuses:
        return PARTIAL
    if entries and all(e is not None and not e.applicable for e in entries):
        return EXCLUDED
    return GAP


def coverage():
    """One FrameworkCoverage per measured catalogue, in catalogue order (three queries)."""
    entries = {e.control_id: e for e in SoAEntry.objects.organization_wide()}
    controls = Control.objects.filter(framework__in=Framework.covered()).prefetch_related(
        "mappings"
    )
    result = {f: [] for f in Framework.covered()}
    for control in controls:
        if control.framework == Framework.ISO42001:
            entry = entries.get(control.pk)
            result[control.framework].append(
                Requirement(control, state_of([entry]), [(control, entry)])
            )
            continue
        mapped = [
            (m, entries.get(m.pk))
            for m in control.mappings.all()
            if m.framework in Framework.in_soa()
        ]
        state = state_of([e for _m, e in mapped]) if mapped else GAP
        result[control.framework].append(
            Requirement(control, GAP if state == EXCLUDED else state, mapped)
        )
    labels = dict(Framework.choices)
    return [FrameworkCoverage(f, labels[f], result[f]) for f in Framework.covered()]
