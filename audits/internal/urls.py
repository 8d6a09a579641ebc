"""URLs of this area's own pages (the registers' URLs come from the registry)."""

from django.urls import path

from audits.internal import views

urlpatterns = [
    path("audits/<int:pk>/start/", views.audit_start, name="audit_start"),
    path("audits/<int:pk>/report/", views.audit_report_issue, name="audit_report_issue"),
    path("audits/<int:pk>/close/", views.audit_close, name="audit_close"),
    path(
        "audits/<int:pk>/independence-override/",
        views.audit_independence_override,
        name="audit_independence_override",
    ),
]
