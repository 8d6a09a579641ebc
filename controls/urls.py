from django.urls import path

from aims.core.imports.views import import_urlpatterns
from aims.core.registry import registry
from controls import views
from controls.imports import SOA

app_name = "controls"
urlpatterns = [
    *registry.urlpatterns("controls"),
    path("soa/issue/", views.soa_issue, name="soa_issue"),
    path("soa/document.pdf", views.soa_pdf, name="soa_pdf"),
    path("soa/document.xlsx", views.soa_xlsx, name="soa_xlsx"),
    path("soa-versions/compare/", views.soa_compare, name="soa_compare"),
    path("soa-versions/v<int:number>.pdf", views.soa_pdf, name="soa_version_pdf"),
    path("soa-versions/v<int:number>.xlsx", views.soa_xlsx, name="soa_version_xlsx"),
    # Per framework (the routes above serve the ISO/IEC 42001 statement).
    path("soa/<slug:framework>/start/", views.soa_start, name="soa_start"),
    path("soa/<slug:framework>/document.pdf", views.soa_pdf, name="soa_pdf"),
    path("soa/<slug:framework>/document.xlsx", views.soa_xlsx, name="soa_xlsx"),
    path("soa-versions/<slug:framework>/v<int:number>.pdf", views.soa_pdf, name="soa_version_pdf"),
    path(
        "soa-versions/<slug:framework>/v<int:number>.xlsx",
        views.soa_xlsx,
        name="soa_version_xlsx",
    ),
    # An SoA kept in a spreadsheet, mapped onto the entries (controls/imports.py).
    *import_urlpatterns(SOA, prefix="soa-imports"),
    path("coverage/", views.coverage_view, name="coverage"),
    path(
        "evidence/<int:pk>/files/<int:number>/",
        views.evidence_download,
        name="evidence_download",
    ),
    path("evidence/<int:pk>/files/add/", views.evidence_revision_add, name="evidence_revision_add"),
]
