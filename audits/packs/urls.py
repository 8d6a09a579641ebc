"""URLs of the audit pack pages, included in the audits app's urlpatterns."""

from django.urls import path

from audits.packs import views

urlpatterns = [
    path("packs/", views.pack_list, name="pack_list"),
    path("packs/<int:pk>/", views.pack_detail, name="pack_detail"),
    path("packs/<int:pk>/retry/", views.pack_retry, name="pack_retry"),
    path("packs/<int:pk>/download/", views.pack_download, name="pack_download"),
]
