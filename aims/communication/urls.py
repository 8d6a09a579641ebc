from django.urls import path

from aims.communication import views
from aims.core.registry import registry

app_name = "communication"
urlpatterns = [
    *registry.urlpatterns("communication"),
    path(
        "ai-policy/<int:pk>/ask/",
        views.acknowledgement_request,
        name="acknowledgement_request",
    ),
    path(
        "ai-policy/<int:pk>/acknowledge/",
        views.policy_acknowledge,
        name="policy_acknowledge",
    ),
]
