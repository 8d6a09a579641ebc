from django.urls import path

from aims.core.registry import registry
from aims.documents import views

app_name = "documents"
urlpatterns = [
    *registry.urlpatterns("documents"),
    path(
        "controlled/<int:pk>/submit/",
        views.controlled_document_submit,
        name="controlleddocument_submit",
    ),
    path(
        "controlled/<int:pk>/new-version/",
        views.controlled_document_new_version,
        name="controlleddocument_new_version",
    ),
    path("records/", views.records, name="records"),
]
