"""Review dates that follow a cadence: one mechanism for every register with a "review every
(months)" field and a "next review" date."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.dates import add_months

# The help text of such a "next review" field in forms.
NEXT_REVIEW_HELP = _(
    "Left empty, it is set one review cadence from today; a new cadence moves it along unless "
    "you change the date too."
)


class ReviewCadence:
    """Mixed into a model before its base: on save, a next review left empty is set one cadence
    from today, and a changed cadence moves a next review nobody changed by hand with it (a
    date one year after the last review becomes six months after it). A date set by hand
    stays as it is."""

    cadence_field = "review_cadence_months"
    next_review_field = "next_review"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._review_loaded = (
            instance.__dict__.get(cls.cadence_field),
            instance.__dict__.get(cls.next_review_field),
        )
        return instance

    def save(self, *args, **kwargs):
        self.follow_review_cadence()
        super().save(*args, **kwargs)

    def follow_review_cadence(self):
        cadence = getattr(self, self.cadence_field)
        next_review = getattr(self, self.next_review_field)
        old_cadence, old_next_review = getattr(self, "_review_loaded", (None, None))
        if not cadence:
            return
        if next_review is None:
            next_review = add_months(timezone.localdate(), cadence)
        elif old_cadence and old_cadence != cadence and next_review == old_next_review:
            next_review = add_months(add_months(next_review, -old_cadence), cadence)
        setattr(self, self.next_review_field, next_review)
        self._review_loaded = (cadence, next_review)
