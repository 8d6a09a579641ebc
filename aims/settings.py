"""Settings for the AIMS portal, driven by environment variables.

Defaults give a development setup that needs no server: SQLite and private files under `var/`,
a filesystem Celery broker. `DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and Redis;
`DJANGO_DEBUG=0` with `DJANGO_SECRET_KEY` and `DJANGO_ALLOWED_HOSTS` gives production settings.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from aims.core import sso_config
from aims.core.env import env, env_bool, env_list, env_required, local_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("AIMS_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DJANGO_DEBUG", True)

if DEBUG:
    # A key of this installation's own, never a published one: sessions stay unforgeable even
    # when a development instance is reachable from the network.
    SECRET_KEY = env("DJANGO_SECRET_KEY") or local_secret_key(VAR_DIR / "secret_key")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
else:
    SECRET_KEY = env_required("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS names no host")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "guardian",
    "simple_history",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "aims.core",
    "aims.context",
    "aims.inventory",
    "aims.impact",
    "risks",
    "controls",
    "aims.objectives",
    "aims.competence",
    "aims.communication",
    "aims.documents",
    "audits",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "aims.core.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Refuses an upload larger than the page takes before the body is read (aims/core/uploads.py).
    "aims.core.uploads.UploadLimitMiddleware",
    "aims.core.sessions.IdleSessionMiddleware",
    # After the idle timeout: a code is asked only of a session still alive (aims/core/mfa.py).
    "aims.core.mfa.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a refused log-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "aims.urls"
WSGI_APPLICATION = "aims.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "aims.core.context_processors.navigation",
            ],
        },
    },
]
# Django's form renderer with dropdowns written without a template per option.
FORM_RENDERER = "aims.core.renderers.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'aims.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite ignores SELECT … FOR UPDATE: taking the write lock when a transaction starts makes
    # concurrent approvals wait for each other, as row locks do on PostgreSQL. Tests use a file,
    # since an in-memory database cannot be shared by concurrent connections.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    # One per test process, so that two test runs on one checkout do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-aims-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
# The model of AI systems, named for core (which imports no app), as AUTH_USER_MODEL is.
AIMS_SYSTEM_MODEL = "inventory.AISystem"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out log-in before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Refuses every password when AIMS_PASSWORD_LOGIN=0 (single sign-on only).
    "aims.core.sso.PasswordLoginSwitch",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: anonymous visitors get no object permissions
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = int(env("AIMS_PASSWORD_RESET_HOURS", "2")) * 3600

# Log-in throttling (django-axes, aims/core/throttling.py): failed log-ins are counted by account
# name and by address separately; after AIMS_LOGIN_FAILURE_LIMIT failures both are refused for a
# cool-off of AIMS_LOGIN_COOLOFF_MINUTES from the latest failure, doubled for every further round
# of failures up to AIMS_LOGIN_COOLOFF_MAX_HOURS. A successful log-in clears the account's count.
AXES_FAILURE_LIMIT = int(env("AIMS_LOGIN_FAILURE_LIMIT", "5"))
AIMS_LOGIN_COOLOFF_MINUTES = int(env("AIMS_LOGIN_COOLOFF_MINUTES", "15"))
AIMS_LOGIN_COOLOFF_MAX_HOURS = int(env("AIMS_LOGIN_COOLOFF_MAX_HOURS", "24"))
AXES_COOLOFF_TIME = "aims.core.throttling.cool_off"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "aims.core.throttling.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Behind reverse proxies the client's address is in X-Forwarded-For: AIMS_PROXY_COUNT names how
# many proxies in front of the portal append to it (0: the portal is reached directly and takes
# REMOTE_ADDR). Entries a client sends itself are never used.
AIMS_PROXY_COUNT = int(env("AIMS_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "aims.core.throttling.client_address"
AXES_VERBOSE = False  # no banner on every start; lock-outs are logged by aims.core.throttling
# API tokens (aims/core/api/tokens.py): after AIMS_API_TOKEN_FAILURE_LIMIT refused token attempts
# from one address, every token attempt from it answers 429 until the window (counted from the
# first failure) of AIMS_API_TOKEN_FAILURE_WINDOW_MINUTES has passed.
AIMS_API_TOKEN_FAILURE_LIMIT = int(env("AIMS_API_TOKEN_FAILURE_LIMIT", "10"))
AIMS_API_TOKEN_FAILURE_WINDOW = int(env("AIMS_API_TOKEN_FAILURE_WINDOW_MINUTES", "10")) * 60

# Spreadsheet imports read at most this many data rows and filled cells
# (aims/core/imports/parsing.py).
AIMS_IMPORT_MAX_ROWS = int(env("AIMS_IMPORT_MAX_ROWS", "20000"))
AIMS_IMPORT_MAX_CELLS = int(env("AIMS_IMPORT_MAX_CELLS", "1000000"))

# Sessions end after AIMS_SESSION_IDLE_MINUTES without activity (aims/core/sessions.py) and at
# the latest AIMS_SESSION_MAX_HOURS after the log-in, active or not.
AIMS_SESSION_IDLE_MINUTES = int(env("AIMS_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = int(env("AIMS_SESSION_MAX_HOURS", "12")) * 3600

# Second factor (TOTP, django-otp; aims/core/mfa.py): optional for everyone; users of the roles
# named here (e.g. "AI Officer,Administrator") must set one up before they reach anything else.
AIMS_REQUIRE_MFA_ROLES = env_list("AIMS_REQUIRE_MFA_ROLES", "")
OTP_TOTP_ISSUER = env("AIMS_TOTP_ISSUER", "AIMS portal")

# Single sign-on with OpenID Connect (aims/core/sso.py), on when AIMS_OIDC_ISSUER is set: the
# provider's endpoints and keys come from <issuer>/.well-known/openid-configuration, the client
# secret only from a file. Roles follow the provider's AIMS_OIDC_ROLE_CLAIM through
# AIMS_OIDC_ROLE_MAP ("aims-auditors=Auditor,..."). AIMS_PASSWORD_LOGIN=0 refuses passwords
# everywhere (log-in page, admin, password reset): the provider is then the only way in.
AIMS_OIDC_ISSUER = (env("AIMS_OIDC_ISSUER") or "").rstrip("/")
AIMS_OIDC_CLIENT_ID = env("AIMS_OIDC_CLIENT_ID")
AIMS_OIDC_CLIENT_SECRET_FILE = env("AIMS_OIDC_CLIENT_SECRET_FILE")
AIMS_OIDC_ROLE_CLAIM = env("AIMS_OIDC_ROLE_CLAIM", "groups")
AIMS_OIDC_ROLE_MAP = sso_config.role_map(env("AIMS_OIDC_ROLE_MAP", ""))
AIMS_OIDC_LABEL = env("AIMS_OIDC_LABEL")  # the button's text; unset: a translated default
AIMS_PASSWORD_LOGIN = env_bool("AIMS_PASSWORD_LOGIN", True)
sso_config.check(
    issuer=AIMS_OIDC_ISSUER,
    client_id=AIMS_OIDC_CLIENT_ID,
    secret_file=AIMS_OIDC_CLIENT_SECRET_FILE,
    password_login=AIMS_PASSWORD_LOGIN,
    debug=DEBUG,
)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date style per language (aims/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["aims.formats"]
TIME_ZONE = env("AIMS_TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Evidence and other uploads are private: stored outside any served folder, delivered by
# permission-checked views only. MEDIA_URL is deliberately not set.
MEDIA_ROOT = Path(env("AIMS_PRIVATE_FILES", VAR_DIR / "private"))
# Evidence files go to the "evidence" storage: the private folder, or, when the web and worker
# processes run on several machines, an S3-compatible bucket (pip install "aims-portal[s3]";
# credentials from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables).
if env("AIMS_EVIDENCE_S3_BUCKET"):
    STORAGES["evidence"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AIMS_EVIDENCE_S3_BUCKET"),
            "endpoint_url": env("AIMS_EVIDENCE_S3_ENDPOINT_URL") or None,
            "region_name": env("AIMS_EVIDENCE_S3_REGION") or None,
            "location": "aims",
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    STORAGES["evidence"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"file_permissions_mode": 0o640},  # under MEDIA_ROOT
    }
EVIDENCE_MAX_BYTES = int(env("AIMS_EVIDENCE_MAX_MB", "25")) * 1024 * 1024
# An audit pack's render stops after this many seconds, and its PDF layout (a child process)
# may use at most this much memory; either ends the pack as failed, with the reason.
AIMS_PACK_TIME_LIMIT = int(env("AIMS_PACK_TIME_LIMIT", "600"))
AIMS_PACK_MEMORY_MB = int(env("AIMS_PACK_MEMORY_MB", "2048"))
# Parts of a pack laid out at once, each by a process of its own (up to AIMS_PACK_MEMORY_MB each).
AIMS_PACK_LAYOUT_PROCESSES = int(env("AIMS_PACK_LAYOUT_PROCESSES", "2"))
# A Statement of Applicability or an audit report of more entries (SoA entries, checklist items)
# than this is rendered by the worker like an audit pack, never within the request.
AIMS_PDF_IN_REQUEST_MAX_ENTRIES = int(env("AIMS_PDF_IN_REQUEST_MAX_ENTRIES", "200"))
# Stops reading an upload once a file passes the page's limit (aims/core/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "aims.core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = env("DJANGO_EMAIL_FILE_PATH", VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", "aims-portal@localhost")
PORTAL_URL = env("AIMS_PORTAL_URL", "http://127.0.0.1:8000")

# Celery: Redis when REDIS_URL is set; otherwise kombu's filesystem transport, a real broker
# that needs no server (queues are folders under var/celery), so `make run` works anywhere.
REDIS_URL = env("REDIS_URL")
# The cache counts failed API token attempts per address (aims/core/api/tokens.py): in Redis
# when REDIS_URL is set, so that every web process sees the same count; otherwise in memory.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
CELERY_BROKER_URL = REDIS_URL or "filesystem://localhost//"
if not REDIS_URL:
    _queue = VAR_DIR / "celery" / "queue"
    _queue.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "celery" / "control").mkdir(exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Daily: a computed KPI stores its measurement the first day after its period ends, once.
    "computed-kpi-measurements": {
        "task": "aims.objectives.tasks.measure_computed_kpis",
        "schedule": crontab(hour=5, minute=30),
    },
    # The reminder engine: what every register declares due (aims/core/reminders.py).
    "review-reminders": {
        "task": "aims.core.tasks.send_review_reminders",
        "schedule": crontab(minute=5),
    },
    "pending-mail": {
        "task": "aims.core.tasks.send_pending_mail",
        "schedule": crontab(minute="*/5"),
    },
}
REVIEW_REMINDER_DAYS = int(env("AIMS_REVIEW_REMINDER_DAYS", "30"))
# Overdue for longer than this many days: the reminder engine escalates to the compliance officers.
AIMS_REMINDER_GRACE_DAYS = int(env("AIMS_REMINDER_GRACE_DAYS", "14"))

REGISTER_PAGE_SIZE = 25

# The REST API (aims/core/api): the browser's session (with CSRF) and the API's own
# authentication; JSON only, no browsable HTML pages; the register views set their own pagination.
REST_FRAMEWORK = {
    # A personal token first (scripts, pipelines), the browser's session with CSRF second.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "aims.core.api.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AIMS portal API",
    "DESCRIPTION": "The registers of the AI management system (ISO/IEC 42001), read and "
    "written with the same permissions, validation and history as the portal's pages.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choices stay inline at their field: many registers share field names with other choices.
    "POSTPROCESSING_HOOKS": [],
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Every page loads scripts, styles, fonts and images from the portal only: no inline script or
# style (behaviour lives in static/js/portal.js, looks in static/css/portal.css), no plugins, no
# framing, forms post to the portal only. A response that sets its own policy keeps it (the
# evidence download's sandbox).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
if AIMS_OIDC_ISSUER:
    # Log-out goes on to the provider's end_session_endpoint: a redirect after a form's POST.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(sso_config.origin(AIMS_OIDC_ISSUER))
# Browser features no page of the portal uses (aims.core.headers).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
        "serial",
        "hid",
        "midi",
        "magnetometer",
        "gyroscope",
        "accelerometer",
        "display-capture",
    )
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint reports every rendering step at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
