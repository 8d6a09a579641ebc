"""My work: everything waiting for the user (decisions, conditions and actions they own,
reviews due, re-classifications), and the one decide page every approval uses.

Apps add what they know of with `work.register(provider)` in their approvals.py; a provider
takes the user and yields `Item`s. Decisions come from the approval machinery itself.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.core import approvals as machinery
from aims.core import display
from aims.core.approvals import DecisionForm, approvals
from aims.core.dashboard import counts
from aims.core.filters import AWAITING, AWAITING_KIND
from aims.core.registry import registry
from aims.core.related_lists import FirstEntries

DECISIONS = gettext_lazy("Decisions awaiting you")
CONDITIONS = gettext_lazy("Conditions you own")
ACTIONS = gettext_lazy("Treatment actions you own")
REVIEWS = gettext_lazy("Reviews due")
CLASSIFICATIONS = gettext_lazy("Re-classifications")
SECTIONS = (DECISIONS, CONDITIONS, ACTIONS, REVIEWS, CLASSIFICATIONS)


@dataclass(frozen=True)
class Item:
    section: str
    text: str
    url: str
    due: date | None = None

    @property
    def overdue(self):
        return self.due is not None and self.due < timezone.localdate()


class WorkProviders(list):
    def register(self, provider):
        self.append(provider)
        return provider


work = WorkProviders()


def review_horizon():
    """Reviews show in My work from this many days before they are due."""
    return timezone.localdate() + timedelta(days=settings.REVIEW_REMINDER_DAYS)


@dataclass(frozen=True)
class DecisionKind:
    """One kind of decision awaiting the user: how many, the first few, and the register's
    list filtered to all of them."""

    approval: object
    entries: FirstEntries

    @property
    def items(self):
        return [
            Item(
                DECISIONS,
                _("%(what)s: %(record)s") % {"what": self.approval.title, "record": obj},
                self.approval.decide_url(obj),
            )
            for obj in self.entries
        ]


def decisions_list_url(approval):
    """The register's list filtered to exactly the records of this kind the user may decide."""
    if len(approvals.for_model(approval.model)) > 1:
        query = {AWAITING_KIND: approval.key}
    else:
        query = {AWAITING: "true"}
    return f"{approval.list_url()}?{urlencode(query)}"


def decision_kinds(user):
    """The kinds with decisions awaiting the user, each counted by the database and cut to its
    first entries: the AI officer of a large organisation may have thousands."""
    kinds = (
        DecisionKind(
            approval,
            FirstEntries(machinery.decisions_for(user, approval), decisions_list_url(approval)),
        )
        for approval in approvals
    )
    return [kind for kind in kinds if kind.entries]


def provided_items(user):
    return [item for provider in work for item in provider(user)]


def work_items(user):
    """What My work lists: the first decisions of each kind and everything provided."""
    return [item for kind in decision_kinds(user) for item in kind.items] + provided_items(user)


def grouped(items):
    by_section = {section: [] for section in SECTIONS}
    for item in items:
        by_section.setdefault(item.section, []).append(item)
    for section_items in by_section.values():
        section_items.sort(key=lambda item: (item.due is None, item.due or date.min, item.text))
    return list(by_section.items())


@login_required
def my_work(request):
    decisions = decision_kinds(request.user)
    provided = provided_items(request.user)
    shown = [item for kind in decisions for item in kind.items]
    decisions_total = sum(kind.entries.total for kind in decisions)
    return render(
        request,
        "core/my_work.html",
        {
            "decisions": decisions,
            "decisions_section": DECISIONS,
            "decisions_total": decisions_total,
            "sections": grouped(shown + provided),
            "total": decisions_total + len(provided),
        },
    )


@login_required
def my_work_count(request):
    """The badge in the navigation, loaded after the page so that no page pays for it."""
    user = request.user
    # The decisions counted by the database: there may be thousands.
    decisions = sum(machinery.decisions_for(user, approval).count() for approval in approvals)
    count = decisions + len(provided_items(user))
    return HttpResponse(str(count) if count else "")


def decide_context(approval, obj, form, seen):
    return {
        "approval": approval,
        "object": obj,
        "rows": display.detail_rows(obj),
        "parts": approval.parts(obj),
        "seen": seen,
        "form": form,
    }


@login_required
def decide(request, key, pk):
    approval = approvals.get(key)
    if approval is None:
        raise Http404
    obj = get_object_or_404(approval.model.objects.restrict(request.user), pk=pk)
    if reason := machinery.refusal(approval, request.user, obj):
        messages.error(request, reason)
        return redirect(obj)
    seen = machinery.content_sha256(approval, obj)
    form_class = approval.form_class or DecisionForm
    form = form_class(
        request.POST or None, approval=approval, user=request.user, initial={"seen": seen}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            machinery.decide(approval, obj, user=request.user, data=data, seen=data.pop("seen"))
        except ValidationError as error:
            # Show what is there now, bound to its hash, with the user's input kept.
            posted = request.POST.copy()
            posted["seen"] = seen
            form = form_class(posted, approval=approval, user=request.user)
            form.is_valid()
            form.add_error(None, error)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect(obj)
    return render(request, "core/decide.html", decide_context(approval, obj, form, seen))


def decisions_attention(user):
    """The dashboard's decisions, per register, counted by the same query as its list filter
    and My work, all registers in one query."""
    models = dict.fromkeys(approval.model for approval in approvals)
    numbers = counts({model: machinery.awaiting_decision_of(user, model) for model in models})
    for model in models:
        count = numbers[model]
        if not count:
            continue
        url = reverse(registry[model].url_name("list"))
        yield (
            _("%(register)s awaiting your decision: %(count)d")
            % {"register": capfirst(model._meta.verbose_name_plural), "count": count},
            f"{url}?{urlencode({AWAITING: 'true'})}",
        )
