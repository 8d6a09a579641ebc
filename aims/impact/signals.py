"""Material changes of an AI system make its impact assessment due again (8.4): a new risk
tier, another intended purpose or EU AI Act role, going live, a new model version."""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from aims.impact.services import impact_assessment_flag_due
from aims.inventory.models import AISystem, Classification, LifecycleStage, ModelVersion, comparable

LIVE = (LifecycleStage.DEPLOYMENT, LifecycleStage.OPERATION)


@receiver(pre_save, sender=AISystem, dispatch_uid="impact-system-changes")
def system_changes(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    stored = sender._default_manager.filter(pk=instance.pk).first()
    if stored is None:
        return
    reasons = []
    if comparable(stored.purpose) != comparable(instance.purpose):
        reasons.append(_("the intended purpose changed"))
    if comparable(stored.ai_act_roles) != comparable(instance.ai_act_roles):
        reasons.append(_("the EU AI Act role changed"))
    if stored.lifecycle_stage not in LIVE and instance.lifecycle_stage in LIVE:
        reasons.append(_("the system went live"))
    # Flagged after the save, with the system as saved.
    instance._impact_reasons = reasons


@receiver(post_save, sender=AISystem, dispatch_uid="impact-system-flag")
def system_flag(sender, instance, raw=False, **kwargs):
    for reason in getattr(instance, "_impact_reasons", ()):
        impact_assessment_flag_due(system=instance, reason=reason)
    instance._impact_reasons = ()


@receiver(post_save, sender=Classification, dispatch_uid="impact-new-tier")
def new_tier(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    previous = instance.system.classifications.exclude(pk=instance.pk).order_by("-number").first()
    if previous is not None and previous.tier != instance.tier:
        impact_assessment_flag_due(
            system=instance.system,
            reason=_("the risk tier changed to %(tier)s") % {"tier": instance.get_tier_display()},
        )


@receiver(post_save, sender=ModelVersion, dispatch_uid="impact-new-model-version")
def new_model_version(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        impact_assessment_flag_due(
            system=instance.system,
            reason=_("model version %(version)s was added") % {"version": instance.version_label},
        )
