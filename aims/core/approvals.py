"""One machinery for every decision: AI policy, risk criteria, treatment plan, residual-risk
acceptance, SoA version, impact assessment.

Each kind of decision declares an `Approval` in its app's `approvals.py` (autodiscovered):
what is decided (a canonical snapshot of the record and its parts), who counts as an author
(from history, across every part ever included), who owns the subject, who may decide by role,
and what a decision does. The core gives four-eyes, the check at submission that someone may
decide, decide-once under a row lock, a decision bound to the content the approver saw, the
notifications, and the "awaiting my decision" query behind the dashboard, the lists and My work.
"""

import datetime
import decimal

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.core.digests import canonical_sha256
from aims.core.forms import style_widgets
from aims.core.notifications import notify
from aims.core.roles import (
    ADMINISTRATOR,
    AI_OFFICER,
    COMPLIANCE_OFFICER,
    load_role_names,
    role_names,
)

# Saves the workflow makes itself (a status, a flag, an approver) carry a change reason that
# starts with this word: they make no one an author of the content.
WORKFLOW = "workflow"


def workflow_save(obj, user=None, reason=WORKFLOW):
    obj._history_user = user
    obj._change_reason = reason
    try:
        obj.save()
    finally:
        # History reads both on every save: a later change of content on this object must
        # name its own author.
        del obj._history_user, obj._change_reason


def make_current(obj, *, status, retired, user, clash, scope=None):
    """Give `obj` the status only one record may hold (the approved policy, the active
    criteria); the record holding it retires. `scope` (field lookups) delimits the records
    among which one is current when that is not the whole table: the versions of one document
    reference. The unique constraint on that status decides between two decisions at the same
    moment: the second is refused with `clash`."""
    model = type(obj)
    try:
        with transaction.atomic():
            for previous in model._default_manager.select_for_update(of=("self",)).filter(
                status=status, **(scope or {})
            ):
                previous.status = retired
                workflow_save(previous, user)
            obj.status = status
            workflow_save(obj, user)
    except IntegrityError:
        raise ValidationError(clash) from None
    return obj


def content_authors(history):
    """The users behind content changes in a history queryset (workflow saves do not count)."""
    return set(
        history.exclude(history_change_reason__startswith=WORKFLOW)
        .exclude(history_user_id=None)
        .values_list("history_user_id", flat=True)
        # Unordered: history's own ordering would add its columns to the DISTINCT and sort.
        .order_by()
        .distinct()
    )


def part_authors(model, parent_field, parent_pk):
    """Authors of every part ever included in the parent: a part moved in from another record
    brings the authors it had there; one moved away keeps the authors it had here."""
    ever_included = model.history.filter(**{f"{parent_field}_id": parent_pk}).values("id")
    return content_authors(model.history.filter(id__in=ever_included))


def authored_by(history, user):
    """The pks of the records in `history` whose content `user` wrote or changed (the SQL form
    of `content_authors`)."""
    return (
        history.filter(history_user=user)
        .exclude(history_change_reason__startswith=WORKFLOW)
        .values("id")
    )


def parts_authored_by(model, parent_field, user):
    """The parents that hold or held a part `user` wrote or changed, here or anywhere else
    (the SQL form of `part_authors`)."""
    parent = f"{parent_field}_id"
    return (
        model.history.filter(id__in=authored_by(model.history, user))
        # A NULL among the values would keep NOT IN from ever being true.
        .exclude(**{parent: None})
        .values(parent)
    )


def last_submitted_by(model, user, status):
    """The records whose latest save into `status` was `user`'s (the SQL form of a
    `submitter_id` read from history)."""
    latest = (
        model.history.filter(id=OuterRef("pk"), status=status)
        .order_by("-history_date", "-history_id")
        .values("history_user_id")[:1]
    )
    return (
        model._default_manager.annotate(submitter=Subquery(latest))
        .filter(submitter=user.pk)
        .values("pk")
    )


def plain(value):
    """A field value as canonical JSON data."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    return value


def field_content(obj, names):
    return {name: plain(getattr(obj, name)) for name in names}


def users_with_role(*roles):
    return get_user_model().objects.filter(groups__name__in=roles, is_active=True).distinct()


class Approval:
    """What one kind of decision declares; the core does the rest."""

    model = None
    key = ""  # URL segment and notification key: "impact-assessment"
    title = ""  # the kind of decision, for lists: "Treatment plan"
    action_label = gettext_lazy("Decide")  # the button on the record's page
    verbose_name = ""  # what is decided, for messages: "the treatment plan"
    decider_roles = (AI_OFFICER,)
    role_refusal = gettext_lazy("Only the AI officer decides on this.")
    # Whether `may_decide` reads the user's roles: the candidates' roles are then read at once.
    decides_by_role = True
    not_awaiting = gettext_lazy("This is not awaiting a decision: it has been decided already.")
    # (value, label) of the outcomes the decide page offers; the first is the approval.
    outcomes = (("approve", gettext_lazy("Approve")),)
    form_class = None  # extra decision fields: a Form subclass (justification, conditions)
    comment = True  # whether the decision takes a comment (an acceptance has its justification)
    comment_required_for = ("reject",)
    fields_template = ""  # a template that lays out the extra fields on the decide page

    def awaiting(self):
        """Records awaiting a decision of this kind (a queryset of `model`)."""
        raise NotImplementedError

    def decidable(self, user):
        """The records awaiting a decision of this kind on which `may_decide` holds for the
        user, in SQL: a kind whose `may_decide` looks at the record says so here too."""
        return self.awaiting() if self.may_decide(user, None) else self.awaiting().none()

    def is_awaiting(self, obj):
        return self.awaiting().filter(pk=obj.pk).exists()

    def content(self, obj):
        """Canonical data of what is decided: its SHA-256 binds the decision."""
        raise NotImplementedError

    def parts(self, obj):
        """(label, rows) tables of the parts decided with the record, for the decide page."""
        return ()

    def authors(self, obj):
        """User ids of whoever wrote or changed any part of the content (default: the record)."""
        return content_authors(obj.history.all())

    def four_eyes(self, user):
        """The records four-eyes keeps from the user, a Q on `model`: those of which `authors`,
        `submitter_id` or `subject_owner_ids` name them (the SQL form of `four_eyes_refusal`).
        A kind that declares any of the three declares this too."""
        for name in ("authors", "submitter_id", "subject_owner_ids"):
            if getattr(type(self), name) is not getattr(Approval, name):
                raise NotImplementedError(f"{type(self).__name__} declares {name}: four_eyes")
        return Q(pk__in=authored_by(self.model.history, user))

    def not_awaiting_message(self, obj):
        return str(self.not_awaiting)

    def role_refusal_message(self, obj):
        return str(self.role_refusal)

    def submitter_id(self, obj):
        return None

    def subject_owner_ids(self, obj):
        return set()

    def may_decide(self, user, obj):
        """Whether the user's role lets them decide on `obj`; `decidable` asks it with None
        unless the kind narrows the records itself."""
        return user.is_active and bool(set(self.decider_roles) & set(role_names(user)))

    def candidates(self, obj):
        """Users whose role lets them decide (before four-eyes)."""
        return users_with_role(*self.decider_roles)

    def apply(self, obj, user, data):
        """Perform the decision on the locked record; return the decision's record."""
        raise NotImplementedError

    def outcome_label(self, obj, data):
        return dict(self.outcomes).get(data.get("outcome"), "")

    def notify_ids(self, obj, result):
        """Users told of the decision besides the authors and the submitter."""
        return set()

    def list_url(self):
        opts = self.model._meta
        return reverse(f"{opts.app_label}:{opts.model_name}_list")

    def decide_url(self, obj):
        return reverse("core:decide", args=[self.key, obj.pk])


class Approvals:
    def __init__(self):
        self._by_key = {}

    def register(self, approval):
        self._by_key[approval.key] = approval
        return approval

    def __iter__(self):
        return iter(self._by_key.values())

    def __getitem__(self, key):
        return self._by_key[key]

    def get(self, key):
        return self._by_key.get(key)

    def for_model(self, model):
        return [a for a in self if a.model is model]


approvals = Approvals()


def content_sha256(approval, obj):
    return canonical_sha256(approval.content(obj))


def authors(approval, obj):
    ids = set(approval.authors(obj))
    if submitter := approval.submitter_id(obj):
        ids.add(submitter)
    return ids


def four_eyes_refusal(approval, user, obj):
    """Why the user may not decide on `obj` as a person ("" when they may); `four_eyes` says
    the same in SQL for many records."""
    if user.pk in approval.subject_owner_ids(obj):
        return _(
            "You own %(subject)s or what it is about; someone else must decide on it (four-eyes)."
        ) % {"subject": approval.verbose_name}
    if user.pk in authors(approval, obj):
        return _(
            "You wrote, changed or submitted %(subject)s; someone else must decide on it "
            "(four-eyes)."
        ) % {"subject": approval.verbose_name}
    return ""


def refusal(approval, user, obj):
    """Why the user may not decide on `obj` now ("" when they may)."""
    if not approval.is_awaiting(obj):
        return approval.not_awaiting_message(obj)
    return decider_refusal(approval, user, obj)


def decider_refusal(approval, user, obj):
    """Why the user may not decide on `obj`, which awaits the decision ("" when they may)."""
    if not approval.may_decide(user, obj):
        return approval.role_refusal_message(obj)
    return four_eyes_refusal(approval, user, obj)


def eligible_deciders(approval, obj):
    """The candidates who may decide on `obj`; their roles and the record's owners and
    authors read once for all of them, the authors only when someone is left to check."""
    candidates = list(approval.candidates(obj))
    if approval.decides_by_role and candidates:
        load_role_names(candidates)
    deciders = [user for user in candidates if approval.may_decide(user, obj)]
    if deciders:
        owners = approval.subject_owner_ids(obj)
        deciders = [user for user in deciders if user.pk not in owners]
    if deciders:
        author_ids = authors(approval, obj)
        deciders = [user for user in deciders if user.pk not in author_ids]
    return deciders


def ensure_decider(approval, obj):
    """Refuse a submission nobody may decide on, and tell the compliance officers and
    administrators, who can give the decision to someone. Call it outside the transaction that
    would submit: the notification must stand although the submission does not. `obj` may be
    unsaved (a version about to be issued)."""
    if eligible_deciders(approval, obj):
        return
    url = obj.get_absolute_url() if obj.pk else approval.list_url()
    notify(
        recipients=users_with_role(COMPLIANCE_OFFICER, ADMINISTRATOR),
        message=_(
            "No one may decide on %(record)s: every person who may decide wrote, changed or "
            "owns it. Give the decision role to someone else."
        )
        % {"record": obj},
        url=url,
        key=f"no-decider:{approval.key}:{obj.pk}:{obj.version}:{timezone.localdate()}",
    )
    raise ValidationError(
        _(
            "No one may decide on this: everyone with the decision role wrote, changed or owns "
            "it. It stays open for changes; the compliance officers and administrators have "
            "been told."
        )
    )


def submit(approval, obj, *, user, check, apply):
    """Submit `obj` for a decision: refused when no one may decide; deciders are told.

    `check(obj)` raises what keeps the record itself from being submitted; it runs first, so
    that its message says what to fix, and again under the row lock.
    """
    check(obj)
    ensure_decider(approval, obj)
    with transaction.atomic():
        obj = approval.model._default_manager.select_for_update(of=("self",)).get(pk=obj.pk)
        check(obj)
        result = apply(obj)
        notify_deciders(approval, obj, user=user)
    return result


def notify_deciders(approval, obj, *, user):
    notify(
        recipients=[u for u in eligible_deciders(approval, obj) if u.pk != user.pk],
        message=_("%(record)s awaits your decision.") % {"record": obj},
        url=approval.decide_url(obj),
        key=f"submitted:{approval.key}:{obj.pk}:{obj.version}",
    )


CHANGED = gettext_lazy(
    "What you are deciding on changed after you opened it. Reload the page, check the "
    "changes and decide again."
)


def decide(approval, obj, *, user, data, seen=None):
    """Record a decision on `obj` once, by someone who may, on the content they saw.

    `seen` is the content's SHA-256 the decision form was loaded with; callers outside a form
    (demo data, tests of the services) decide on the current content.
    """
    with transaction.atomic():
        # The row lock serialises concurrent decisions: the second sees the first's result.
        # Only the record's own row: a manager may join nullable relations, which cannot be.
        obj = approval.model._default_manager.select_for_update(of=("self",)).get(pk=obj.pk)
        if reason := refusal(approval, user, obj):
            raise ValidationError(reason)
        if seen is not None and seen != content_sha256(approval, obj):
            raise ValidationError(str(CHANGED), code="changed")
        told = authors(approval, obj) | approval.subject_owner_ids(obj)
        result = approval.apply(obj, user, data)
        told |= approval.notify_ids(obj, result)
        notify(
            recipients=get_user_model().objects.filter(pk__in=told - {None, user.pk}),
            message=_("%(record)s: %(outcome)s by %(user)s.")
            % {"record": obj, "outcome": approval.outcome_label(obj, data), "user": user},
            url=obj.get_absolute_url(),
            key=f"decided:{approval.key}:{obj.pk}:{obj.version}",
        )
    return result


def decisions_for(user, approval):
    """The records awaiting a decision of `approval`'s kind that the user may take now: role,
    visibility and four-eyes in SQL, so that counting them loads none."""
    records = approval.decidable(user).restrict(user)
    if records.query.is_empty():
        return records
    return records.exclude(approval.four_eyes(user))


def awaiting_decision_of(user, model):
    """The records of `model` awaiting a decision of any kind the user may take now (a
    queryset; a record awaiting two decisions appears once)."""
    kinds = [decisions_for(user, kind) for kind in approvals.for_model(model)]
    kinds = [records for records in kinds if not records.query.is_empty()]
    if not kinds:
        return model._default_manager.none()
    if len(kinds) == 1:
        return kinds[0]
    either = Q()
    for records in kinds:
        either |= Q(pk__in=records.values("pk"))
    return model._default_manager.filter(either)


class DecisionForm(forms.Form):
    """The decide page's form: the outcome, a comment, and the SHA-256 of the content shown.

    An approval's `form_class` subclasses it for its own fields (a justification, conditions).
    """

    seen = forms.CharField(widget=forms.HiddenInput, max_length=64)
    outcome = forms.ChoiceField(label=gettext_lazy("Decision"), widget=forms.RadioSelect)
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when you reject: the reasons go back to the authors."),
    )

    def __init__(self, *args, approval, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.approval = approval
        self.fields["outcome"].choices = approval.outcomes
        if len(approval.outcomes) == 1:
            self.fields["outcome"].widget = forms.HiddenInput()
            self.fields["outcome"].initial = approval.outcomes[0][0]
            self.fields["comment"].help_text = ""
        if not approval.comment:
            del self.fields["comment"]
        style_widgets(self)

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("outcome") in self.approval.comment_required_for
            and not cleaned.get("comment", "").strip()
        ):
            self.add_error("comment", _("Give the reasons for the rejection."))
        return cleaned


def decision_state(approval, user, obj):
    """What a record's page shows of a pending decision: the way to decide, or why not."""
    if not approval.is_awaiting(obj):
        return None
    return {
        "label": approval.action_label,
        "url": approval.decide_url(obj),
        "refusal": decider_refusal(approval, user, obj),
        "nobody": not eligible_deciders(approval, obj),
    }
