"""factory-boy factories for every register model, and the persona users."""

import datetime

import factory
from django.contrib.auth.models import Group
from django.db.models import Max
from django.utils import timezone

from aims.context import models as context
from aims.core.digests import canonical_sha256
from aims.core.models import User
from aims.core.roles import ROLES
from aims.impact import models as impact
from aims.inventory import models as inventory
from audits import models as audits
from controls import models as controls
from controls.models import Control
from risks import models as risks
from risks.demo import five_by_five


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def role(self, create, role):
        if create and role:
            assert role in ROLES, role
            self.groups.add(Group.objects.get(name=role))


class ContextIssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = context.ContextIssue

    title = factory.Sequence(lambda n: f"Issue {n}")
    kind = context.Kind.EXTERNAL
    category = context.ContextIssue.Category.LEGAL
    description = "New supervisory guidance on model risk."
    effect_on_aims = "Model documentation must be extended."


class InterestedPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = context.InterestedParty

    name = factory.Sequence(lambda n: f"Party {n}")
    kind = context.Kind.EXTERNAL
    category = context.InterestedParty.Category.REGULATORS
    needs = "Documentation on request."


class PartyRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = context.PartyRequirement

    party = factory.SubFactory(InterestedPartyFactory)
    title = factory.Sequence(lambda n: f"Requirement {n}")
    source = context.PartyRequirement.Source.LAW
    decision = context.PartyRequirement.Decision.ADOPTED
    reason = "Legal duty."


class ScopeStatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = context.ScopeStatement

    title = factory.Sequence(lambda n: f"Scope {n}")
    statement = "AI systems in claims handling."
    boundaries = "Germany and Austria."


class ScopeExclusionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = context.ScopeExclusion

    scope = factory.SubFactory(ScopeStatementFactory)
    subject = factory.Sequence(lambda n: f"Subsidiary {n}")
    justification = "Separate legal entity."


class AIPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = context.AIPolicy

    title = "AI policy"
    content = "We use AI responsibly."


class AIMSRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = context.AIMSRole

    name = factory.Sequence(lambda n: f"Role {n}")
    responsibilities = "Keeps the register current."


class AIMSActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = context.AIMSActivity

    clause = "6.1.2"
    name = factory.Sequence(lambda n: f"Activity {n}")


class RACIAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = context.RACIAssignment

    activity = factory.SubFactory(AIMSActivityFactory)
    role = factory.SubFactory(AIMSRoleFactory)
    responsibility = "R"


class AISystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = inventory.AISystem

    name = factory.Sequence(lambda n: f"AI system {n}")
    purpose = "Sorts incoming claims for review."
    lifecycle_stage = inventory.LifecycleStage.OPERATION
    ai_act_roles = factory.LazyFunction(lambda: ["deployer"])


class ModelVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = inventory.ModelVersion

    system = factory.SubFactory(AISystemFactory)
    version_label = factory.Sequence(lambda n: f"1.{n}")


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = inventory.Dataset

    name = factory.Sequence(lambda n: f"Dataset {n}")
    source = "Claims platform"


class ThirdPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = inventory.ThirdParty

    name = factory.Sequence(lambda n: f"Supplier {n}")
    relationship = inventory.ThirdParty.Relationship.SUPPLIER
    delivers = "A hosted language model."


class AIActObligationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = inventory.AIActObligation

    code = factory.Sequence(lambda n: f"test-obligation-{n}")
    article = "Art. 26"
    title = "Use the system according to the instructions"
    condition = "high_risk_annex_iii"
    roles = factory.LazyFunction(lambda: ["deployer"])
    application_date = datetime.date(2027, 12, 2)


class ClassificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = inventory.Classification

    system = factory.SubFactory(AISystemFactory)
    number = factory.Sequence(lambda n: n + 1)
    classified_on = datetime.date(2026, 11, 1)
    classified_by = factory.SubFactory(UserFactory)
    roles = factory.LazyFunction(lambda: ["deployer"])
    answers = factory.LazyFunction(lambda: {"annex_iii_area": "employment"})
    tier = "high_risk"
    flags = factory.LazyFunction(list)
    route = "annex_iii"
    annex_iii_area = "employment"
    summary = "High-risk (Annex III, employment)"
    trail = factory.LazyFunction(lambda: ["Annex III area: employment."])


class SystemImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = inventory.SystemImport

    uploaded_by = factory.SubFactory(UserFactory)
    file = factory.django.FileField(filename="register.csv", data=b"Name;Purpose\nBot;Chat\n")
    file_name = "register.csv"
    sha256 = "0" * 64


class RiskCriteriaFactory(factory.django.DjangoModelFactory):
    """A draft of the 5×5 criteria (drafts can be edited; only one set can be active)."""

    class Meta:
        model = risks.RiskCriteria

    name = five_by_five()["name"]
    likelihood_scale = five_by_five()["likelihood_scale"]
    impact_scale = five_by_five()["impact_scale"]
    matrix = five_by_five()["matrix"]
    acceptance_threshold = "medium"


def active_criteria():
    """The active criteria, created as 5×5 when there are none yet."""
    return risks.RiskCriteria.active() or RiskCriteriaFactory(
        status=risks.RiskCriteria.Status.ACTIVE
    )


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = risks.Risk
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Risk {n}")
    description = "Attackers hide instructions in customer e-mails."
    category = risks.Category.SECURITY
    risk_source = risks.RiskSource.MACHINE_LEARNING
    objectives = factory.LazyFunction(lambda: ["security"])
    criteria = factory.LazyFunction(active_criteria)
    inherent_likelihood = 4
    inherent_impact = 4
    residual_likelihood = 2
    residual_impact = 3
    treatment_option = risks.TreatmentOption.MODIFY

    @factory.post_generation
    def controls(self, create, extracted, **kwargs):
        if create:
            codes = ["A.6.2.4"] if extracted is None else extracted
            self.controls.set(Control.objects.filter(code__in=codes))


class TreatmentActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = risks.TreatmentAction

    risk = factory.SubFactory(RiskFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SubFactory(UserFactory)
    due_date = datetime.date(2027, 3, 31)


class RiskAcceptanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = risks.RiskAcceptance

    risk = factory.SubFactory(RiskFactory)
    accepted_by = factory.SubFactory(UserFactory)
    accepted_on = datetime.date(2026, 11, 1)
    justification = "Monitoring is in place."
    expires_on = datetime.date(2027, 11, 1)
    criteria = factory.SelfAttribute("risk.criteria")
    residual_likelihood = 2
    residual_impact = 3
    residual_level = "medium"


class LibraryRiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = risks.LibraryRisk

    code = factory.Sequence(lambda n: f"test-risk-{n}")
    title = "Test risk"
    title_de = "Testrisiko"
    description = "A risk for tests."
    description_de = "Ein Risiko für Tests."
    category = risks.Category.ROBUSTNESS
    risk_source = risks.RiskSource.MACHINE_LEARNING
    objectives = factory.LazyFunction(lambda: ["robustness"])
    controls = factory.LazyFunction(lambda: ["A.6.2.4"])
    likelihood = 3
    impact = 3


class RiskImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = risks.RiskImport

    uploaded_by = factory.SubFactory(UserFactory)
    file = factory.django.FileField(filename="risks.csv", data=b"Risiko;Kategorie\nDrift;Drift\n")
    file_name = "risks.csv"
    sha256 = "0" * 64


# One factory per registered model: the generated register tests need them all.
class ControlFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = controls.Control

    code = factory.Sequence(lambda n: f"OWN-{n:02d}")
    title = factory.Sequence(lambda n: f"Own control {n}")
    guidance = "Keep the model cards of all AI systems in the document system."


class SoAEntryFactory(factory.django.DjangoModelFactory):
    """An override for one AI system (the organization-wide entries exist for every control)."""

    class Meta:
        model = controls.SoAEntry

    control = factory.LazyFunction(lambda: Control.objects.get(code="A.7.5"))
    ai_system = factory.SubFactory(AISystemFactory)
    applicable = False
    exclusion_justification = "The supplier provides the trained model; we hand over no data."


def next_version_number(version):
    """The next number of the version's framework: a seeded organisation may have issued some."""
    issued = controls.SoAVersion.objects.filter(framework=version.framework)
    return (issued.aggregate(last=Max("number"))["last"] or 0) + 1


class SoAVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = controls.SoAVersion

    framework = controls.SoAFramework.ISO42001
    number = factory.LazyAttribute(next_version_number)
    content = factory.LazyFunction(lambda: {"entries": []})
    sha256 = factory.LazyAttribute(lambda version: canonical_sha256(version.content))
    issued_by = factory.SubFactory(UserFactory)
    issued_at = factory.LazyFunction(timezone.now)
    status = controls.SoAVersion.Status.APPROVED


class SoAImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = controls.SoAImport

    uploaded_by = factory.SubFactory(UserFactory)
    file = factory.django.FileField(filename="soa.csv", data=b"Control;Applicable\nA.2.2;yes\n")
    file_name = "soa.csv"
    sha256 = "0" * 64


def justify_soa_entries(text="Needed to treat the AI risks of the organization."):
    """Give every included SoA entry without one a justification for inclusion: a version of
    the SoA can be issued only then (6.1.3). Saved without a user, so nobody becomes an editor."""
    for entry in controls.SoAEntry.objects.unjustified():
        entry.inclusion_justification = text
        entry.save()


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = controls.Evidence
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Evidence {n}")
    link = "https://wiki.example.test/aims/evidence"
    evidence_date = factory.LazyFunction(lambda: datetime.date(2026, 10, 1))
    uploaded_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def controls(self, create, extracted, **kwargs):
        if create:
            self.controls.set(Control.objects.filter(code__in=extracted or ["A.6.2.4"]))


class ImpactAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = impact.ImpactAssessment

    system = factory.SubFactory(AISystemFactory)
    intended_use = "Sort incoming claims by urgency for the case handlers."
    affected_groups = "Policy holders filing a claim."
    overall_rating = impact.Rating.MEDIUM


class ImpactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = impact.Impact

    assessment = factory.SubFactory(ImpactAssessmentFactory)
    area = impact.ImpactArea.FAIRNESS
    affected_group = "Older policy holders"
    description = "Claims of older customers may be ranked lower."
    likelihood = impact.Rating.MEDIUM
    severity = impact.Rating.HIGH


class AuditProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits.AuditProgramme

    title = "Internal audit programme"
    period = factory.Sequence(lambda n: str(2100 + n))
    objectives = "Audit every clause and every applicable Annex A control once per cycle."
    criteria = "ISO/IEC 42001:2023, the AI policy, the EU AI Act."
    methods = "Interviews, document review, sampling of records."


class AuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits.Audit

    title = factory.Sequence(lambda n: f"Internal audit {n}")
    planned_start = datetime.date(2027, 3, 1)
    planned_end = datetime.date(2027, 3, 5)
    criteria = "ISO/IEC 42001:2023"


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits.ChecklistItem

    audit = factory.SubFactory(AuditFactory)
    clause = factory.LazyFunction(lambda: audits.Clause.objects.get(code="6.1.2"))
    question = "Is the AI risk assessment process defined and applied?"


class NonconformityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits.Nonconformity

    title = factory.Sequence(lambda n: f"Nonconformity {n}")
    source = audits.Nonconformity.Source.INTERNAL_AUDIT
    description = "Two of ten sampled risks had no owner."
    grade = audits.Nonconformity.Grade.MINOR


class CorrectiveActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits.CorrectiveAction

    nonconformity = factory.SubFactory(NonconformityFactory)
    title = factory.Sequence(lambda n: f"Corrective action {n}")
    owner = factory.SubFactory(UserFactory)
    due_date = datetime.date(2027, 6, 30)


class EffectivenessCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits.EffectivenessCheck

    nonconformity = factory.SubFactory(NonconformityFactory)
    method = "Re-sample ten risks three months after the actions."
    due_date = datetime.date(2027, 9, 30)


class ImprovementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits.Improvement

    title = factory.Sequence(lambda n: f"Improvement {n}")
    description = "Show the risk owner on the SoA entry."


class ReportingPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits.ReportingPeriod
        django_get_or_create = ("case",)

    case = audits.ReportingPeriod.Case.OTHER
    days = 15
    legal_source = "Art. 73(2) Regulation (EU) 2024/1689"


class AIIncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits.AIIncident

    ai_system = factory.SubFactory(AISystemFactory)
    title = factory.Sequence(lambda n: f"Incident {n}")
    occurred_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=2))
    aware_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    description = "The model rejected valid claims for a day."
    our_role = audits.AIIncident.Role.DEPLOYER


class IncidentReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits.IncidentReport

    incident = factory.SubFactory(AIIncidentFactory)
    kind = audits.IncidentReport.Kind.INITIAL
    sent_at = factory.LazyFunction(timezone.now)
    authority = "Bundesnetzagentur"


REGISTER_FACTORIES = {
    factory_class._meta.model: factory_class
    for factory_class in (
        ContextIssueFactory,
        InterestedPartyFactory,
        PartyRequirementFactory,
        ScopeStatementFactory,
        ScopeExclusionFactory,
        AIPolicyFactory,
        AIMSRoleFactory,
        AIMSActivityFactory,
        RACIAssignmentFactory,
        AISystemFactory,
        ModelVersionFactory,
        DatasetFactory,
        ThirdPartyFactory,
        AIActObligationFactory,
        ClassificationFactory,
        SystemImportFactory,
        RiskCriteriaFactory,
        RiskFactory,
        TreatmentActionFactory,
        RiskAcceptanceFactory,
        LibraryRiskFactory,
        RiskImportFactory,
        ControlFactory,
        SoAEntryFactory,
        SoAVersionFactory,
        SoAImportFactory,
        EvidenceFactory,
        ImpactAssessmentFactory,
        ImpactFactory,
        AuditProgrammeFactory,
        AuditFactory,
        ChecklistItemFactory,
        NonconformityFactory,
        CorrectiveActionFactory,
        EffectivenessCheckFactory,
        ImprovementFactory,
        ReportingPeriodFactory,
        AIIncidentFactory,
        IncidentReportFactory,
    )
}


class ChecklistImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits.ChecklistImport

    audit = factory.SubFactory(AuditFactory)
    uploaded_by = factory.SubFactory(UserFactory)
    file = factory.django.FileField(
        filename="checklist.csv", data=b"Clause;Question\n6.1.2;Is the process applied?\n"
    )
    file_name = "checklist.csv"
    sha256 = "0" * 64


REGISTER_FACTORIES[audits.ChecklistImport] = ChecklistImportFactory


# Communication ----------------------------------------------------------------------------
from aims.communication import models as communication  # noqa: E402


class CommunicationPlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = communication.CommunicationPlanItem

    title = factory.Sequence(lambda n: f"Communication {n}")
    frequency = communication.CommunicationPlanItem.Frequency.QUARTERLY
    channel = communication.Channel.EMAIL
    audience_other = "All staff"


class CommunicationRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = communication.CommunicationRecord

    subject = factory.Sequence(lambda n: f"Briefing {n}")
    plan_item = factory.SubFactory(CommunicationPlanItemFactory)
    channel = communication.Channel.MEETING
    audience = "Claims handlers"


REGISTER_FACTORIES[communication.CommunicationPlanItem] = CommunicationPlanItemFactory
REGISTER_FACTORIES[communication.CommunicationRecord] = CommunicationRecordFactory


# Documents --------------------------------------------------------------------------------
from aims.documents import models as documents  # noqa: E402


class ControlledDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = documents.ControlledDocument

    title = factory.Sequence(lambda n: f"Procedure {n}")
    doc_type = documents.ControlledDocument.Type.PROCEDURE
    owner = factory.SubFactory(UserFactory)


REGISTER_FACTORIES[documents.ControlledDocument] = ControlledDocumentFactory


# Competence -------------------------------------------------------------------------------
from aims.competence import models as competence  # noqa: E402


class CompetenceRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = competence.CompetenceRequirement

    title = factory.Sequence(lambda n: f"Human-oversight training {n}")
    satisfied_by = factory.Sequence(lambda n: f"Oversight course {n}")
    validity_months = 24


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = competence.Person

    name = factory.Sequence(lambda n: f"Operator {n}")
    email = factory.Sequence(lambda n: f"operator{n}@example.com")
    unit = "Claims"


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = competence.TrainingRecord

    person = factory.SubFactory(PersonFactory)
    course = factory.Sequence(lambda n: f"AI literacy basics {n}")
    completed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(30))
    provider = "Academy"


class TrainingImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = competence.TrainingImport

    uploaded_by = factory.SubFactory(UserFactory)
    file = factory.django.FileField(
        filename="training.csv",
        data=b"E-Mail;Schulung;Datum\na@example.com;KI-Kompetenz;2026-01-05\n",
    )
    file_name = "training.csv"
    sha256 = "0" * 64


REGISTER_FACTORIES[competence.CompetenceRequirement] = CompetenceRequirementFactory
REGISTER_FACTORIES[competence.Person] = PersonFactory
REGISTER_FACTORIES[competence.TrainingRecord] = TrainingRecordFactory
REGISTER_FACTORIES[competence.TrainingImport] = TrainingImportFactory


# Objectives -------------------------------------------------------------------------------
from aims.objectives import models as objectives  # noqa: E402


class AIObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = objectives.AIObjective

    title = factory.Sequence(lambda n: f"Fair claims triage {n}")
    annex_c_objective = "fairness"
    target = "Approval rates differ by at most 5 points between groups"
    actions = "Quarterly bias tests"
    owner = factory.SubFactory(UserFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(180))
    evaluation = "The AI officer reviews the bias tests each quarter"


class KPIFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = objectives.KPI

    name = factory.Sequence(lambda n: f"Model accuracy {n}")
    definition = "Share of correct triage decisions in the sample"
    unit = "%"
    target = 95
    warning_threshold = 90
    owner = factory.SubFactory(UserFactory)


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = objectives.Measurement

    kpi = factory.SubFactory(KPIFactory)
    period_start = datetime.date(2026, 1, 1)
    period_end = datetime.date(2026, 1, 31)
    value = 96


REGISTER_FACTORIES[objectives.AIObjective] = AIObjectiveFactory
REGISTER_FACTORIES[objectives.KPI] = KPIFactory
REGISTER_FACTORIES[objectives.Measurement] = MeasurementFactory


# Management review ------------------------------------------------------------------------
class ManagementReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits.ManagementReview

    title = factory.Sequence(lambda n: f"Management review {n}")
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(30))
    chair = factory.SubFactory(UserFactory)
    minute_taker = factory.SubFactory(UserFactory)


class ReviewDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits.ReviewDecision

    review = factory.SubFactory(ManagementReviewFactory)
    category = audits.ReviewDecision.Category.RESOURCES
    text = factory.Sequence(lambda n: f"Fund a second model validator {n}")


class ReviewActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = audits.ReviewAction

    review = factory.SubFactory(ManagementReviewFactory)
    title = factory.Sequence(lambda n: f"Hire a validator {n}")
    owner = factory.SubFactory(UserFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(60))


REGISTER_FACTORIES[audits.ManagementReview] = ManagementReviewFactory
REGISTER_FACTORIES[audits.ReviewDecision] = ReviewDecisionFactory
REGISTER_FACTORIES[audits.ReviewAction] = ReviewActionFactory
