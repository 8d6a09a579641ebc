"""Coverage of each catalogue by implemented controls of the Statements of Applicability.

An Annex A control counts by its own organization-wide entry, and so does an ISO 27001 control
once the organization has started its ISO 27001 SoA. Until then, and always for an AI Act
requirement, a requirement counts as covered when one of the AIMS SoA controls mapped to it is
applicable and implemented, as partly covered when one is partially implemented. Such mapped
figures are indicative: a mapping says a control helps, not that it meets the requirement, so
they get no percentage.
"""

from dataclasses import dataclass, field

from controls.models import Control, Framework, ImplementationStatus, SoAEntry, SoAFramework

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
    # Counted through mappings to the AIMS SoA rather than from the catalogue's own SoA.
    indicative: bool = False

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
    entries = {
        e.control_id: e for e in SoAEntry.objects.organization_wide().select_related("control")
    }
    # Catalogues with a Statement of Applicability of their own count by their entries.
    own_soa = {Framework.ISO42001} | {
        e.control.framework
        for e in entries.values()
        if e.control.framework == SoAFramework.ISO27001
    }
    controls = Control.objects.filter(framework__in=Framework.covered()).prefetch_related(
        "mappings"
    )
    result = {f: [] for f in Framework.covered()}
    for control in controls:
        if control.framework in own_soa:
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
    return [
        FrameworkCoverage(f, labels[f], result[f], indicative=f not in own_soa)
        for f in Framework.covered()
    ]
