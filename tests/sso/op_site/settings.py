"""A small OpenID provider for the single sign-on tests: django-oidc-provider as a Django site
of its own, run in a separate process on its own database (tests/sso/conftest.py)."""

import os

SECRET_KEY = "op-site-for-tests-only-" + os.environ.get("OP_SITE_URL", "")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
    "tests.sso.op_site",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.sso.op_site.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ.get("OP_DB", ":memory:")}
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
# Both sites run on this machine: cookies of their own, so the portal's and the provider's
# sessions never overwrite each other in one browser.
SESSION_COOKIE_NAME = "op_sessionid"
CSRF_COOKIE_NAME = "op_csrftoken"
LOGIN_URL = "/accounts/login/"

SITE_URL = os.environ.get("OP_SITE_URL", "http://127.0.0.1")
OIDC_IDTOKEN_INCLUDE_CLAIMS = True
OIDC_USERINFO = "tests.sso.op_site.claims.userinfo"
OIDC_IDTOKEN_PROCESSING_HOOK = "tests.sso.op_site.claims.with_groups"
OIDC_EXTRA_SCOPE_CLAIMS = "tests.sso.op_site.claims.MemberOf"
