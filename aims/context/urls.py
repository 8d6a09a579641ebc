from django.urls import path

from aims.context import views
from aims.core.registry import registry

app_name = "context"
urlpatterns = [
    *registry.urlpatterns("context"),
    path(
        "ai-policy/<int:pk>/new-version/", views.ai_policy_new_version, name="aipolicy_new_version"
    ),
    path("raci/", views.raci_matrix, name="raci_matrix"),
    path("raci/<int:activity_pk>/<int:role_pk>/", views.raci_cell, name="raci_cell"),
]
