"""Decisions on Statement of Applicability versions, on the core approval machinery."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.core.approvals import Approval, approvals, workflow_save
from controls.models import SoAVersion


class SoAVersionApproval(Approval):
    """The AI officer approves or rejects an issued version; never its issuer, nor anyone who
    ever changed an entry of the SoA it froze."""

    model = SoAVersion
    key = "soa-version"
    title = gettext_lazy("Statement of Applicability")
    verbose_name = gettext_lazy("this version of the Statement of Applicability")
    role_refusal = gettext_lazy("Only the AI officer approves the Statement of Applicability.")
    not_awaiting = gettext_lazy("This version has been decided.")
    outcomes = (("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Reject")))

    def awaiting(self):
        return SoAVersion.objects.filter(status=SoAVersion.Status.AWAITING_APPROVAL)

    def is_awaiting(self, version):
        return version.status == SoAVersion.Status.AWAITING_APPROVAL

    def content(self, version):
        # Frozen at issue: the decision binds to the stored content and its hash.
        return version.content

    def authors(self, version):
        return set(version.editor_ids)

    def submitter_id(self, version):
        return version.issued_by_id

    def four_eyes(self, user):
        # The editors are a JSON list, which not every database searches: the few versions
        # awaiting a decision are read.
        edited = [
            pk
            for pk, editors in self.awaiting().values_list("pk", "editor_ids")
            if user.pk in editors
        ]
        return Q(issued_by=user) | Q(pk__in=edited)

    def apply(self, version, user, data):
        approve = data["outcome"] == "approve"
        if not approve and not data.get("comment", "").strip():
            raise ValidationError(_("Say why the version is rejected."))
        version.status = SoAVersion.Status.APPROVED if approve else SoAVersion.Status.REJECTED
        version.decided_by = user
        version.decided_at = timezone.now()
        version.decision_comment = data.get("comment", "")
        workflow_save(version, user)
        return version


SOA_VERSION = approvals.register(SoAVersionApproval())
