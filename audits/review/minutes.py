"""The minutes of a management review (9.3.3, 7.5.3: the results kept as documented
information): the meeting, the inputs a) to e) with the KPI charts, the decisions and actions,
and the chair's approval with the record's SHA-256, printed in the reader's language through
the core's safe PDF renderer (aims/core/pdf.py)."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.core import pdf
from audits.models import ManagementReview
from audits.review.views import review_record

logger = logging.getLogger(__name__)


@login_required
def managementreview_minutes_pdf(request, pk):
    """The minutes of a review the user may view, as a download."""
    review = get_object_or_404(
        ManagementReview.objects.restrict(request.user).select_related(
            "chair", "minute_taker", "approved_by"
        ),
        pk=pk,
    )
    try:
        context = {
            "review": review,
            "record": review_record(review, request.user, shown=None),
            "printed": timezone.localtime(),
            "reader": request.user,
        }
        content = pdf.render_pdf("audits/managementreview_minutes_pdf.html", context)
    except Exception:  # WeasyPrint's and the template's errors vary; the user needs the page
        logger.exception("Minutes of %s not rendered", review.reference)
        messages.error(
            request,
            _(
                "The minutes could not be produced. Please try again later; if it fails again, "
                "tell the administrator (the error is logged)."
            ),
        )
        return redirect(review)
    return pdf.pdf_response(content, f"{review.reference}-minutes")
