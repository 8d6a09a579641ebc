"""URLs of this area's own pages (the registers' URLs come from the registry)."""

from django.urls import path

from audits.incidents import views

urlpatterns = [
    path(
        "incidents/<int:pk>/nonconformity/",
        views.incident_nonconformity_open,
        name="aiincident_raise_nonconformity",
    ),
    path("incidents/<int:pk>/risk/", views.incident_risk_create, name="aiincident_create_risk"),
]
