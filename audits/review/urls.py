"""URLs of this area's own pages (the registers' URLs come from the registry)."""

from django.urls import path

from audits.review import minutes, views

urlpatterns = [
    path(
        "management-reviews/<int:pk>/submit/",
        views.managementreview_submit,
        name="managementreview_submit",
    ),
    path(
        "management-reviews/<int:pk>/minutes.pdf",
        minutes.managementreview_minutes_pdf,
        name="managementreview_minutes_pdf",
    ),
]
