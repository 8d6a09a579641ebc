from django.urls import path

from aims.core import activity, api_tokens, mfa, pickers, preferences, saved_views, search, work
from aims.core.archive.views import archive_export
from aims.core.dashboard import DashboardView
from aims.core.views import notifications, notifications_read

app_name = "core"
urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("views/<str:label>/save/", saved_views.saved_view_add, name="saved_view_add"),
    path("views/<int:pk>/delete/", saved_views.saved_view_delete, name="saved_view_delete"),
    path("notifications/", notifications, name="notifications"),
    path("notifications/read/", notifications_read, name="notifications_read"),
    path("pick/<str:label>/<str:name>/", pickers.pick, name="pick"),
    path("pick/filter/<str:label>/<str:name>/", pickers.pick_filter, name="pick_filter"),
    path("pick/form/<slug:key>/<str:name>/", pickers.pick_form, name="pick_form"),
    path("search/", search.global_search, name="search"),
    path("my-work/", work.my_work, name="my_work"),
    path("activity/", activity.activity_log, name="activity"),
    path("activity/export/<str:fmt>/", activity.activity_log, name="activity_export"),
    path("my-work/count/", work.my_work_count, name="my_work_count"),
    path("decide/<slug:key>/<int:pk>/", work.decide, name="decide"),
    path("account/preferences/", preferences.preferences, name="preferences"),
    # Before Django's own switch under the same URL (aims/urls.py): keeps the choice on the user.
    path("i18n/setlang/", preferences.set_language, name="set_language"),
    path("account/second-factor/", mfa.mfa_setup, name="mfa_setup"),
    path("account/second-factor/verify/", mfa.mfa_verify, name="mfa_verify"),
    path("account/api-tokens/", api_tokens.api_tokens, name="api_tokens"),
    path("export-everything/", archive_export, name="archive_export"),
    path(
        "account/api-tokens/<int:pk>/revoke/",
        api_tokens.api_token_revoke,
        name="api_token_revoke",
    ),
]
