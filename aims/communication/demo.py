"""Demo communication of Rheinwerk Versicherung AG: the plan, a log, and the approved AI policy
acknowledged by all demo users but the system owner."""

from datetime import timedelta

from django.utils import timezone

from aims.communication import services
from aims.communication.models import Channel, CommunicationPlanItem, CommunicationRecord
from aims.context.models import AIMSRole, AIPolicy, InterestedParty
from aims.core.roles import AI_OFFICER, COMPLIANCE_OFFICER, SYSTEM_OWNER
from aims.core.seeding import ensure

F = CommunicationPlanItem.Frequency
S = CommunicationPlanItem.Status

# reference, what, occasion, frequency, next date (days from today), parties, internal roles,
# other audience, channel, communicator, status
PLAN = [
    (
        "COM-001",
        "The AI policy and its changes",
        "A new version of the AI policy is approved.",
        F.ON_OCCASION,
        None,
        ["IP-003", "IP-006"],
        ["AI Officer", "Compliance Officer", "AI system owner"],
        "All employees",
        Channel.PORTAL,
        COMPLIANCE_OFFICER,
        S.ACTIVE,
    ),
    (
        "COM-002",
        "AIMS performance report to the management board",
        "",
        F.QUARTERLY,
        45,
        ["IP-006"],
        ["Management board"],
        "",
        Channel.REPORT,
        AI_OFFICER,
        S.ACTIVE,
    ),
    (
        "COM-003",
        "Notice to job applicants that AI supports the screening",
        "Every job posting that uses the CV-screening tool.",
        F.ON_OCCASION,
        None,
        ["IP-004"],
        [],
        "",
        Channel.WEBSITE,
        SYSTEM_OWNER,
        S.ACTIVE,
    ),
    (
        "COM-004",
        "Serious incidents to the market surveillance authority",
        "A serious incident under Art. 73 of the EU AI Act.",
        F.ON_OCCASION,
        None,
        ["IP-002"],
        ["AI Officer"],
        "",
        Channel.REPORT,
        COMPLIANCE_OFFICER,
        S.ACTIVE,
    ),
    (
        "COM-005",
        "Briefing of the works council on AI tools in HR",
        "",
        F.YEARLY,
        60,
        ["IP-003"],
        ["AI system owner"],
        "",
        Channel.MEETING,
        COMPLIANCE_OFFICER,
        S.ACTIVE,
    ),
    (
        "COM-006",
        "AI literacy newsletter",
        "",
        F.MONTHLY,
        20,
        [],
        [],
        "All employees who use AI tools",
        Channel.INTRANET,
        AI_OFFICER,
        S.PLANNED,
    ),
]

# plan item, what, days ago, audience, channel, by
LOG = [
    (
        "COM-001",
        "AI policy 1.0 published in the portal",
        0,
        "All portal users",
        Channel.PORTAL,
        COMPLIANCE_OFFICER,
    ),
    (
        "COM-002",
        "AIMS report for the last quarter",
        45,
        "Management board",
        Channel.REPORT,
        AI_OFFICER,
    ),
    (
        "COM-005",
        "Works council briefed on the CV-screening tool",
        70,
        "Works council (7 members)",
        Channel.MEETING,
        COMPLIANCE_OFFICER,
    ),
]


def seed(users):
    today = timezone.localdate()
    compliance = users[COMPLIANCE_OFFICER]
    items = {}
    for ref, title, occasion, frequency, days, parties, roles, other, channel, by, status in PLAN:
        fresh = not CommunicationPlanItem.objects.filter(reference=ref).exists()
        item = ensure(
            CommunicationPlanItem,
            {"reference": ref},
            {
                "title": title,
                "occasion": occasion,
                "frequency": frequency,
                "next_date": today + timedelta(days=days) if days else None,
                "audience_other": other,
                "channel": channel,
                "communicator": users[by],
                "status": status,
            },
            author=compliance,
        )
        if fresh:
            item.parties.set(InterestedParty.objects.filter(reference__in=parties))
            item.aims_roles.set(AIMSRole.objects.filter(name__in=roles))
        items[ref] = item
    for ref, subject, days_ago, audience, channel, by in LOG:
        ensure(
            CommunicationRecord,
            {"plan_item": items[ref], "subject": subject},
            {
                "date": today - timedelta(days=days_ago),
                "audience": audience,
                "channel": channel,
                "communicated_by": users[by],
            },
            author=users[by],
        )
    seed_acknowledgements(users)


def seed_acknowledgements(users):
    policy = AIPolicy.objects.filter(status=AIPolicy.Status.APPROVED).first()
    if policy is None or policy.acknowledgement_requests.exists():
        return
    services.acknowledgement_request_create(
        policy=policy, user=users[COMPLIANCE_OFFICER], all_users=True
    )
    # The system owner has not read it yet: their dashboard asks them to.
    for role, user in users.items():
        if role != SYSTEM_OWNER:
            services.policy_acknowledge(policy=policy, user=user)
