"""Demo audits, nonconformities and incidents of Rheinwerk Versicherung AG, seeded by area in
the order the work happens: the audit finds, the findings become nonconformities and an
improvement, the audit closes once they are raised, and incidents follow on their own."""

from audits.incidents import demo as incidents
from audits.internal import demo as internal
from audits.nonconformities import demo as nonconformities
from audits.review import demo as review


def seed(users):
    audit = internal.seed(users)
    nonconformities.seed(users, audit)
    internal.finish(users, audit)
    incidents.seed(users)
    review.seed(users)
