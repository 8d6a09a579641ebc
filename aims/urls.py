"""Root URLs: each app's register URLs live under the app's namespace."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from aims.core import passwords, sso_views

urlpatterns = [
    path("", include("aims.core.urls")),
    path("context/", include("aims.context.urls")),
    path("inventory/", include("aims.inventory.urls")),
    path("impact/", include("aims.impact.urls")),
    path("risks/", include("risks.urls")),
    path("controls/", include("controls.urls")),
    path("objectives/", include("aims.objectives.urls")),
    path("competence/", include("aims.competence.urls")),
    path("communication/", include("aims.communication.urls")),
    path("documents/", include("aims.documents.urls")),
    path("audits/", include("audits.urls")),
    path("api/", include("aims.core.api.urls")),
    path("accounts/login/", sso_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", sso_views.LogoutView.as_view(), name="logout"),
    # Single sign-on (OpenID Connect): the redirect URI to register at the provider is
    # https://<host>/oidc/callback/.
    path("oidc/login/", sso_views.sso_login, name="sso_login"),
    path("oidc/callback/", sso_views.sso_callback, name="sso_callback"),
    path(
        "accounts/password/change/",
        sso_views.passwords_allowed(passwords.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        sso_views.passwords_allowed(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        sso_views.passwords_allowed(passwords.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        sso_views.passwords_allowed(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        sso_views.passwords_allowed(passwords.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        sso_views.passwords_allowed(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    # Without passwords the admin, too, is entered through the portal's log-in.
    path("admin/login/", sso_views.admin_login),
    path("admin/", admin.site.urls),
]

# A refusal of an entry the user can see names who may change it (aims/core/forbidden.py).
handler403 = "aims.core.forbidden.permission_denied"
