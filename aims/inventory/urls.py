from django.urls import path

from aims.core.imports.views import import_urlpatterns
from aims.core.registry import registry
from aims.inventory import views
from aims.inventory.imports import AI_SYSTEMS

app_name = "inventory"
urlpatterns = [
    *registry.urlpatterns("inventory"),
    path("", views.inventory_dashboard, name="dashboard"),
    path("systems/<int:pk>/classify/", views.classify_system, name="classify"),
    path(
        "systems/<int:pk>/classify/cancel/",
        views.forget_classification_answers,
        name="classify_cancel",
    ),
    *import_urlpatterns(AI_SYSTEMS),
]
