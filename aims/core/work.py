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
from aims.core.filters import AWAITING
from aims.core.registry import registry

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


def decision_items(user):
    for approval, obj in machinery.awaiting_decision(user):
        yield Item(
            DECISIONS,
            _("%(what)s: %(record)s") % {"what": approval.title, "record": obj},
            approval.decide_url(obj),
        )


def provided_items(user):
    return [item for provider in work for item in provider(user)]


def work_items(user):
    return [*decision_items(user), *provided_items(user)]


def grouped(items):
    by_section = {section: [] for section in SECTIONS}
    for item in items:
        by_section.setdefault(item.section, []).append(item)
    for section_items in by_section.values():
        section_items.sort(key=lambda item: (item.due is None, item.due or date.min, item.text))
    return list(by_section.items())


@login_required
def my_work(request):
    items = work_items(request.user)
    return render(request, "core/my_work.html", {"sections": grouped(items), "total": len(items)})


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
    and My work."""
    for model in dict.fromkeys(approval.model for approval in approvals):
        count = machinery.awaiting_decision_of(user, model).count()
        if not count:
            continue
        url = reverse(registry[model].url_name("list"))
        yield (
            _("%(register)s awaiting your decision: %(count)d")
            % {"register": capfirst(model._meta.verbose_name_plural), "count": count},
            f"{url}?{urlencode({AWAITING: 'true'})}",
        )
