from django.urls import path

from aims.core.registry import registry
from aims.inventory import views

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
    path("imports/new/", views.import_upload, name="import_upload"),
    path("imports/<int:pk>/columns/", views.import_columns, name="import_columns"),
    path("imports/<int:pk>/values/", views.import_values, name="import_values"),
    path("imports/<int:pk>/preview/", views.import_preview, name="import_preview"),
]
