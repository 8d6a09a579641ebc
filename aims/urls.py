"""Root URLs: each app's register URLs live under the app's namespace."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("", include("aims.core.urls")),
    path("context/", include("aims.context.urls")),
    path("inventory/", include("aims.inventory.urls")),
    path("impact/", include("aims.impact.urls")),
    path("risks/", include("risks.urls")),
    path("controls/", include("controls.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
