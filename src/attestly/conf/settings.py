"""Django settings, built from the typed options in `attestly.conf.options`.

Nothing here is configured by editing this file: set `ATTESTLY_*` variables or the TOML file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

from attestly.conf.options import load_options, resolve_secret_key
from attestly.core.logging import logging_config

OPTIONS = load_options()
BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = resolve_secret_key(OPTIONS)
DEBUG = OPTIONS.debug
ALLOWED_HOSTS = OPTIONS.allowed_hosts

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "attestly.core",
    "attestly.accounts",
    "attestly.frameworks",
    "attestly.controls",
    "attestly.readiness",
    "attestly.evidence",
    "attestly.checks",
    "attestly.integrations",
    "attestly.api",
    "attestly.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "attestly.core.middleware.RejectNulBytesMiddleware",
    "attestly.core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "attestly.core.middleware.CurrentWorkspaceMiddleware",
    "attestly.web.access.PagePermissionMiddleware",
    "attestly.web.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "attestly.conf.urls"
WSGI_APPLICATION = "attestly.conf.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
# Django's model backend and database sessions, each with its per-request read hand-written.
AUTHENTICATION_BACKENDS = ["attestly.accounts.backends.AttestlyModelBackend"]
SESSION_ENGINE = "attestly.accounts.sessions"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "attestly.web.context.layout",
            ],
        },
    }
]


def database_settings(options: Any) -> dict[str, Any]:
    """The default database: PostgreSQL from the URL, else SQLite in WAL mode in the data dir."""
    if options.database_url and not options.database_url.startswith("sqlite"):
        db = dj_database_url.parse(options.database_url, conn_max_age=60, conn_health_checks=True)
        db["ATOMIC_REQUESTS"] = False
        return dict(db)
    path = (
        options.database_url.removeprefix("sqlite:///")
        if options.database_url
        else str(options.sqlite_path)
    )
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        # Persistent (one per request thread): opening SQLite and running the PRAGMAs below
        # costs more than most cached pages (~1.5 ms a request, measured).
        "CONN_MAX_AGE": None,
        "OPTIONS": {
            # IMMEDIATE: a write transaction takes the lock when it begins, so two writers
            # queue on busy_timeout instead of failing with "database is locked" on upgrade.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
            ),
        },
    }


DATABASES = {"default": database_settings(OPTIONS)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "attestly.accounts.passwords.MaximumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = OPTIONS.time_zone
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
# Served from the apps' static folders through WhiteNoise finders; no collectstatic step.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = OPTIONS.https
CSRF_COOKIE_SECURE = OPTIONS.https
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if OPTIONS.https:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [OPTIONS.base_url.rstrip("/")]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "attestly.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Views that set no permission_classes still go through the permission matrix.
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "attestly.api.permissions.TokenScopePermission",
        "attestly.api.permissions.MfaPermission",
        "attestly.api.permissions.ActionPermission",
    ],
    "DEFAULT_PAGINATION_CLASS": "attestly.api.pagination.Pagination",
    "PAGE_SIZE": OPTIONS.api_page_size,
    "DEFAULT_FILTER_BACKENDS": ["attestly.api.filters.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "attestly.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
API_MAX_PAGE_SIZE = OPTIONS.api_max_page_size
# Seconds the dashboard figures and API list data are kept while the data is unchanged
# (attestly.core.datacache); 0 turns that cache off.
DATA_CACHE_SECONDS = 30

SPECTACULAR_SETTINGS = {
    "TITLE": "Attestly API",
    "DESCRIPTION": "SOC 2 compliance platform. Authenticate with `Authorization: Token <key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "attestly.api.errors.document_errors_hook",
    ],
    # Several apps have a field named "status"; give each choice set its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "ImplementationStatusEnum": "attestly.controls.models.ImplementationStatus",
        "CheckResultStatusEnum": "attestly.checks.types.Status",
        "CollectionRunStatusEnum": "attestly.integrations.models.RunStatus",
        "CriterionStatusEnum": "attestly.readiness.scoring.CriterionStatus",
        "ConnectionTestStatusEnum": "attestly.integrations.base.TestStatus",
    },
}

LOGGING = logging_config(level=OPTIONS.log_level, log_format=OPTIONS.log_format)
