from django.urls import path

from aims.core import mfa, saved_views, work
from aims.core.views import DashboardView, notifications, notifications_read

app_name = "core"
urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("views/<str:label>/save/", saved_views.saved_view_add, name="saved_view_add"),
    path("views/<int:pk>/delete/", saved_views.saved_view_delete, name="saved_view_delete"),
    path("notifications/", notifications, name="notifications"),
    path("notifications/read/", notifications_read, name="notifications_read"),
    path("my-work/", work.my_work, name="my_work"),
    path("my-work/count/", work.my_work_count, name="my_work_count"),
    path("decide/<slug:key>/<int:pk>/", work.decide, name="decide"),
    path("account/second-factor/", mfa.mfa_setup, name="mfa_setup"),
    path("account/second-factor/verify/", mfa.mfa_verify, name="mfa_verify"),
]
