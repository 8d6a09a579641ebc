"""The risk register's decisions in the API: approve a risk's treatment plan, accept its
residual risk, activate draft risk criteria, as the decide page does."""

from rest_framework import serializers

from aims.core.api.workflow import decision_path, decision_request
from risks.approvals import ACCEPTANCE, CRITERIA, PLAN

PlanApprovalRequest = decision_request(PLAN, "TreatmentPlanDecision")
AcceptanceRequest = decision_request(
    ACCEPTANCE,
    "RiskAcceptanceDecision",
    justification=serializers.CharField(
        max_length=10_000, help_text="Why the organization can live with the residual risk."
    ),
    expires_on=serializers.DateField(
        help_text="After this date the risk goes back into review (three years at most)."
    ),
)
CriteriaActivationRequest = decision_request(CRITERIA, "RiskCriteriaDecision")

urlpatterns = [
    decision_path(
        PLAN,
        "approve-plan",
        request_serializer=PlanApprovalRequest,
        summary="Approve a risk's treatment plan",
    ),
    decision_path(
        ACCEPTANCE,
        "accept",
        request_serializer=AcceptanceRequest,
        summary="Accept a risk's residual risk",
    ),
    decision_path(
        CRITERIA,
        "activate",
        request_serializer=CriteriaActivationRequest,
        summary="Make draft risk criteria the active ones",
    ),
]
