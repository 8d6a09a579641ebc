"""Pages of the management review beyond the register: the compiled inputs on the review's
page and submitting the minutes (the minutes PDF: minutes.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aims.core.approvals import decision_state
from aims.core.views import refused
from audits.models import ManagementReview
from audits.review import services
from audits.review.approvals import REVIEW, results
from audits.review.inputs import SHOWN, compile_inputs, first_rows, page_rows


def review_record(review, user, shown=SHOWN):
    """What the review shows: the approved snapshot once closed (the chair's record, see
    approvals.snapshot), else the inputs compiled live for the reader; of each list the first
    `shown` rows (None: all, as the minutes print them)."""
    if review.status == ManagementReview.Status.CLOSED and review.snapshot:
        return {
            **review.snapshot,
            "inputs": page_rows(review.snapshot["inputs"], shown),
            "frozen": True,
        }
    if shown:
        inputs = compile_inputs(review, user, rows=first_rows)
    else:
        inputs = page_rows(compile_inputs(review, user), None)
    return {"results": results(review), "inputs": inputs, "frozen": False}


def managementreview_detail_context(review, user):
    return {
        "record": review_record(review, user),
        "may_submit": review.status == ManagementReview.Status.DRAFT
        and user.pk == review.minute_taker_id,
        "decision": decision_state(REVIEW, user, review),
    }


@login_required
@require_POST
def managementreview_submit(request, pk):
    review = get_object_or_404(ManagementReview.objects.restrict(request.user), pk=pk)
    try:
        services.managementreview_submit(review=review, user=request.user)
    except PermissionDenied as error:
        messages.error(request, str(error))
    except ValidationError as error:
        refused(request, error)
    else:
        messages.success(request, _("The minutes were submitted to the chair for approval."))
    return redirect(review)
