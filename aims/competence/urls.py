from django.urls import path

from aims.competence import views
from aims.competence.imports import TRAININGS
from aims.core.imports.views import import_urlpatterns
from aims.core.registry import registry

app_name = "competence"
urlpatterns = [
    *registry.urlpatterns("competence"),
    path("matrix/", views.matrix_view, name="matrix"),
    path("matrix/gaps.csv", views.gaps_csv, name="gaps_csv"),
    *import_urlpatterns(TRAININGS, prefix="training-imports"),
]
