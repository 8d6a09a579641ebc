"""URLs of this area's own pages (the registers' URLs come from the registry)."""

from django.urls import include, path

from audits.internal import report, views
from audits.internal.import_views import checklist_import_urlpatterns

urlpatterns = [
    path("audits/<int:pk>/start/", views.audit_start, name="audit_start"),
    path("audits/<int:pk>/report/", views.audit_report_issue, name="audit_report_issue"),
    path("audits/<int:pk>/close/", views.audit_close, name="audit_close"),
    path(
        "audits/<int:pk>/independence-override/",
        views.audit_independence_override,
        name="audit_independence_override",
    ),
    path("audits/<int:pk>/report.pdf", report.audit_report_pdf, name="audit_report_pdf"),
    # The import wizard, entered from an audit's page (audits/internal/import_views.py).
    path(
        "checklist-imports/",
        include((checklist_import_urlpatterns(), "checklist_import")),
    ),
]
