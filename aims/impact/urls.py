from django.urls import path

from aims.core.registry import registry
from aims.impact import views

app_name = "impact"
urlpatterns = [
    *registry.urlpatterns("impact"),
    path("assessments/<int:pk>/submit/", views.submit, name="submit"),
    path("conditions/<int:pk>/met/", views.condition_met, name="condition_met"),
    path("assessments/<int:pk>/new-version/", views.new_version, name="new_version"),
    path("assessments/<int:pk>/document.pdf", views.assessment_pdf, name="pdf"),
    path("impacts/<int:pk>/create-risk/", views.impact_to_risk, name="impact_to_risk"),
]
