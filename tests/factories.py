"""factory-boy factories for every register model, and the persona users."""

import datetime

import factory
from django.contrib.auth.models import Group

from aims.context import models as context
from aims.core.models import User
from aims.core.roles import ROLES
from aims.inventory import models as inventory


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


# One factory per registered model: the generated register tests need them all.
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
    )
}
