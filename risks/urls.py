from django.urls import path

from aims.core.imports.views import import_urlpatterns
from aims.core.registry import registry
from risks import views
from risks.imports import RISKS

app_name = "risks"
urlpatterns = [
    *registry.urlpatterns("risks"),
    *import_urlpatterns(RISKS),
    path("criteria/<int:pk>/new-version/", views.criteria_new_version, name="criteria_new_version"),
    path("library/<int:pk>/create-risk/", views.from_library, name="from_library"),
]
