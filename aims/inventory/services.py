"""State changes of the inventory: classifying a system. (Spreadsheet imports run on the
core's import services, declared in imports.py.)"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation

from aims.inventory.classification import classify
from aims.inventory.models import AISystem, Classification


def ai_system_classify(*, system, answers, user):
    """Record the next classification of the system; it no longer needs re-classification."""
    with transaction.atomic():
        system = AISystem.objects.select_for_update().get(pk=system.pk)
        # Stored in English, the language of the record; pages show it in the reader's language.
        with translation.override("en"):
            result = classify(answers)
            summary, trail = result.summary, list(result.trail)
        number = (system.classifications.aggregate(n=Max("number"))["n"] or 0) + 1
        record = Classification(
            system=system,
            number=number,
            classified_on=timezone.localdate(),
            classified_by=user,
            roles=result.roles(system.ai_act_roles),
            answers=answers.to_dict(),
            tier=result.tier,
            flags=list(result.flags),
            route=result.route,
            annex_iii_area=result.annex_iii_area,
            summary=summary,
            trail=trail,
        )
        record._history_user = user
        record.save()
        if system.reclassification_needed:
            system.reclassification_needed = False
            system._history_user = user
            system.save()
    return record
