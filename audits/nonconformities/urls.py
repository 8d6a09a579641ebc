"""URLs of this area's own pages (the registers' URLs come from the registry)."""

from django.urls import path

from audits.nonconformities import views

urlpatterns = [
    *(
        path(
            f"nonconformities/<int:pk>/{step.replace('_', '-')}/",
            views.step_view(step),
            name=f"nonconformity_{step}",
        )
        for step in views.STEPS
    ),
    path(
        "corrective-actions/<int:pk>/done/",
        views.correctiveaction_complete,
        name="correctiveaction_complete",
    ),
    path(
        "checklist/<int:pk>/raise-nonconformity/",
        views.checklistitem_raise_nonconformity,
        name="checklistitem_raise_nonconformity",
    ),
    path(
        "checklist/<int:pk>/raise-improvement/",
        views.checklistitem_raise_improvement,
        name="checklistitem_raise_improvement",
    ),
]
