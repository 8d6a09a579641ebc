"""Independence of the audit team (9.2.2 c: auditors are objective and impartial).

A lead auditor or team member has a conflict of interest when they
- own an AI system in the audit's scope;
- own a risk of an AI system in scope;
- hold an AIMS role that is "responsible" (R in the RACI matrix) for an activity whose clause or
  control is in scope, or is a parent clause of one in scope (responsible for 6.1 covers 6.1.2).

`AIMSRole.holder` is free text ("Person or function"). A user holds the role when the holder, or
one of its parts separated by commas, semicolons, slashes or line breaks, equals the user's full
name, user name or e-mail address, ignoring case. A holder naming a function ("Data science
team") matches nobody.

Conflicts are compared by their text in the portal's default language, which is also how an
override records the conflicts it accepted; an override therefore covers exactly the conflicts it
named, and a new one is refused again.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from aims.context.models import RACIAssignment
from aims.inventory.models import AISystem
from risks.models import Risk

HOLDER_SEPARATORS = re.compile(r"[,;/\n]")


@dataclass(frozen=True)
class Conflict:
    person: object  # the user
    kind: str  # "system", "risk", "raci"
    subject: str  # AIS-003; RSK-004; "6.1.2 Assess AI risks" (the RACI activity)
    detail: str = ""  # the in-scope systems of a risk; the AIMS role of a RACI letter

    def __str__(self):
        name = person_name(self.person)
        if self.kind == "system":
            return _("%(person)s owns %(system)s, which is in scope") % {
                "person": name,
                "system": self.subject,
            }
        if self.kind == "risk":
            return _("%(person)s owns the risk %(risk)s of %(systems)s, which is in scope") % {
                "person": name,
                "risk": self.subject,
                "systems": self.detail,
            }
        return _(
            "%(person)s is responsible (RACI, as %(role)s) for “%(activity)s”, which is in scope"
        ) % {"person": name, "role": self.detail, "activity": self.subject}

    @property
    def record_text(self):
        """How an override records the conflict (the portal's default language)."""
        with translation.override(settings.LANGUAGE_CODE):
            return str(self)


def person_name(user):
    return user.get_full_name() or user.get_username()


def holds(user, holder):
    names = {
        value.strip().casefold()
        for value in (user.get_full_name(), user.get_username(), user.email)
        if value and value.strip()
    }
    parts = {part.strip().casefold() for part in HOLDER_SEPARATORS.split(holder or "")}
    return bool(names & parts)


def scope_codes(clauses, controls):
    """Codes an in-scope RACI activity may name: the clauses with every parent, and controls."""
    codes = set()
    for clause in clauses:
        while clause is not None:
            codes.add(clause.code)
            clause = clause.parent
    codes.update(control.code for control in controls)
    return codes


def find_conflicts(people, *, ai_systems, clauses, controls=()):
    """Conflicts of `people` (users) with a scope, in a stable order."""
    people = [person for person in dict.fromkeys(people) if person is not None]
    if not people:
        return []
    in_scope = {system.pk: system.reference for system in ai_systems}
    found = []
    owned = AISystem.objects.filter(pk__in=in_scope, owner__in=people).select_related("owner")
    for system in owned:
        found.append(Conflict(system.owner, "system", system.reference))
    risks = (
        Risk.objects.filter(ai_systems__in=list(in_scope), owner__in=people)
        .distinct()
        .select_related("owner")
        .prefetch_related("ai_systems")
    )
    for risk in risks:
        systems = sorted(in_scope[s.pk] for s in risk.ai_systems.all() if s.pk in in_scope)
        found.append(Conflict(risk.owner, "risk", risk.reference, ", ".join(systems)))
    codes = scope_codes(clauses, controls)
    responsible = RACIAssignment.objects.filter(
        responsibility=RACIAssignment.Responsibility.RESPONSIBLE, activity__clause__in=codes
    ).select_related("activity", "role")
    for assignment in responsible:
        for person in people:
            if holds(person, assignment.role.holder):
                found.append(
                    Conflict(person, "raci", str(assignment.activity), assignment.role.name)
                )
    order = {person.pk: index for index, person in enumerate(people)}
    kinds = {"system": 0, "risk": 1, "raci": 2}
    return sorted(found, key=lambda c: (order[c.person.pk], kinds[c.kind], c.subject))


def conflicts(audit):
    """The conflicts of the audit's lead auditor and team with its scope."""
    people = [audit.lead_auditor, *audit.team.all()] if audit.pk else [audit.lead_auditor]
    return find_conflicts(
        people,
        ai_systems=audit.ai_systems.all() if audit.pk else (),
        clauses=audit.clauses.select_related("parent__parent") if audit.pk else (),
        controls=audit.controls.all() if audit.pk else (),
    )


def accepted(audit):
    """The conflict texts the audit's override accepted."""
    return {line.strip() for line in audit.independence_conflicts.splitlines() if line.strip()}


def unaccepted(found, audit):
    """The conflicts no override of the audit covers."""
    covered = accepted(audit) if audit.pk else set()
    return [conflict for conflict in found if conflict.record_text not in covered]
