"""Django settings for Atiende, read from the environment.

Every deployment knob is an environment variable so the same code runs embedded (SQLite,
in-memory channel layer, database task queue) and in production (PostgreSQL + Redis).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from atiende.core.config import (
    env_bool,
    env_int,
    env_list,
    login_rate_per_ip,
    mailers,
    postgres_options,
    proxy_ssl_header,
    secret_key,
    sqlite_database,
)
from atiende.serving import live_port_setting

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("ATIENDE_DATA_DIR", "./var")).resolve()

DEBUG = env_bool("DEBUG", default=False)
# Unset: the installation's own random key, generated once in the data directory (0600).
SECRET_KEY = secret_key(os.environ.get("SECRET_KEY", ""), DATA_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "ninja",  # serves /api/v1/docs with its own Swagger UI files: no CDN, works offline
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "crontask",
    "atiende.core",
    "atiende.outbox",
    "atiende.semantic",
    "atiende.accounts",
    "atiende.tickets",
    "atiende.search",
    "atiende.realtime",
    "atiende.notifications",
    "atiende.kb",
    "atiende.messaging",
    "atiende.intake",
    "atiende.surveys",
    "atiende.sla",
    "atiende.automation",
    "atiende.api",
    "atiende.web",
    # After atiende.web, so our templates for allauth's pages win over allauth's own.
    "allauth",
    "allauth.account",
    "allauth.mfa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "atiende.web.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "atiende.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "atiende.web.signin.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "atiende.urls"
WSGI_APPLICATION = "atiende.wsgi.application"
ASGI_APPLICATION = "atiende.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
DATABASES: dict[str, Any] = {
    "default": (
        dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
        if DATABASE_URL
        else sqlite_database(DATA_DIR / "atiende.sqlite3")
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and DATABASE_URL:
    DATABASES["default"] = sqlite_database(Path(DATABASES["default"]["NAME"]))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = postgres_options(DATABASES["default"].get("OPTIONS", {}))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Signed webhooks wait in files beside the embedded database until the worker takes them in
# (`messaging.channels.spool`, decision 0010): SQLite's one write lock is not taken before the
# 200. PostgreSQL stores them as rows directly. "off" turns the spool off.
ATIENDE_CHANNEL_SPOOL: Path | None = (
    Path(DATABASES["default"]["NAME"]).with_suffix(".channel-spool")
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    else None
)
if os.environ.get("ATIENDE_CHANNEL_SPOOL"):
    _spool = os.environ["ATIENDE_CHANNEL_SPOOL"]
    ATIENDE_CHANNEL_SPOOL = None if _spool == "off" else Path(_spool)

# Outgoing email (password resets, invitations; customer email arrives with mailboxes).
MAILERS = mailers(os.environ.get("ATIENDE_SMTP_URL", ""), DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Atiende <atiende@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The scheduler (`atiende scheduler`) only enqueues periodic tasks. With Redis it holds a lock,
# so several machines may each start one and only one schedules; without, run exactly one.
CRONTASK = {"REDIS_URL": REDIS_URL or None}

TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if env_bool("ATIENDE_TASKS_IMMEDIATE", default=False)
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# Sign-in is django-allauth's (docs/security.md, "Sign-in"): email as the login for staff and
# customers, no self sign-up (people are created by admins, agents and the channels), sign-in
# by emailed code, TOTP with recovery codes. Mail goes through the outbox (web.signin.mail).
ACCOUNT_ADAPTER = "atiende.web.signin.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 5 * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Atiende: "
# A password reset link works once (its token covers the password hash and the last sign-in)
# and for this many seconds.
PASSWORD_RESET_TIMEOUT = env_int("ATIENDE_PASSWORD_RESET_SECONDS", default=60 * 60)
# Failed sign-ins: 5 per account and 20 per address (IP) in 15 minutes, then the form says to
# wait (allauth counts them in the cache: Redis when set, so every process shares them).
# Sign-in attempts per address: ATIENDE_LOGIN_RATE_PER_IP (default 30/m; a team behind one NAT
# address shares it).
ACCOUNT_RATE_LIMITS = {
    "login": login_rate_per_ip(os.environ.get("ATIENDE_LOGIN_RATE_PER_IP", "")),
    "login_failed": "20/15m/ip,5/15m/key",
    "reset_password": "20/m/ip,5/15m/key",
    "request_login_code": "20/m/ip,3/15m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Atiende"
# Every agent and admin must set up two-factor sign-in before using the workspace (admins can
# also require it of one person in Settings → Agents).
ATIENDE_STAFF_TWO_FACTOR_REQUIRED = env_bool("ATIENDE_STAFF_TWO_FACTOR_REQUIRED", default=False)
# Failed API authentications (a bad token) allowed per address in each window of seconds.
ATIENDE_API_AUTH_FAILURES = int(os.environ.get("ATIENDE_API_AUTH_FAILURES", 20))
ATIENDE_API_AUTH_FAILURE_WINDOW = int(os.environ.get("ATIENDE_API_AUTH_FAILURE_WINDOW", 15 * 60))

# Spanish unless told otherwise: people follow their browser until they choose, customers the
# language they write in; this default only answers when nothing else says (decision 0005).
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "es")
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [REPO_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Behind a TLS proxy (docs/deployment.md): cookies only over HTTPS, HSTS, and the proxy's
# X-Forwarded-Proto trusted so that request.is_secure() holds and links in mail are https://.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(os.environ.get("SECURE_PROXY_SSL_HEADER", ""))
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy on every response: scripts and styles only from our origin or with
# the response's nonce (templates write nonce="{{ csp_nonce }}"), images from our origin and
# data: URLs. atiende.web.csp adds the live socket's origin and holds the per-view widening
# for a message's remote images.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "worker-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Attachments: the largest file accepted, in bytes (default 25 MiB).
ATIENDE_MAX_ATTACHMENT_BYTES = int(os.environ.get("ATIENDE_MAX_ATTACHMENT_BYTES", 25 * 1024 * 1024))
# The customer portal: a solved request may be reopened by its customer for this many days
# (docs/portal.md).
ATIENDE_PORTAL_REOPEN_DAYS = env_int("ATIENDE_PORTAL_REOPEN_DAYS", default=14)
# A public reply to more people than this asks the agent first (docs/admin.md).
ATIENDE_REPLY_CONFIRM_RECIPIENTS = int(os.environ.get("ATIENDE_REPLY_CONFIRM_RECIPIENTS", 10))

# The port of the live socket's server (/ws/) when it is not the page's own: `atiende run`
# serves HTTP and WebSockets on two ports (atiende.serving). Unset: the page's own origin.
ATIENDE_LIVE_PORT = live_port_setting(os.environ.get("ATIENDE_LIVE_PORT"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Deliver a change's outbox effects in its own process right after the commit (False leaves
# them all to the workers' sweep; the crash tests use that).
ATIENDE_OUTBOX_DELIVER_AT_ONCE = env_bool("ATIENDE_OUTBOX_DELIVER_AT_ONCE", default=True)
# How long an Idempotency-Key is remembered.
ATIENDE_IDEMPOTENCY_TTL_HOURS = 24
# API requests allowed per user (or token owner) in each window of seconds; counted in the
# cache (Redis when REDIS_URL is set, else this process's memory). 0 turns the limit off.
ATIENDE_API_RATE_LIMIT = int(os.environ.get("ATIENDE_API_RATE_LIMIT", 600))
ATIENDE_API_RATE_WINDOW = int(os.environ.get("ATIENDE_API_RATE_WINDOW", 60))
# Where customers reach this helpdesk, for links in mail sent without a request to read the
# address from (satisfaction surveys, web-form acknowledgements): e.g. https://help.example.com
ATIENDE_SITE_URL = os.environ.get("ATIENDE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# How long each process keeps its snapshot of the configuration every ticket event reads
# (statuses, priorities, calendars, SLA policies, rules): a change made in another process is
# seen within this many seconds (``core.snapshots``, ``tickets.config_cache``).
ATIENDE_CONFIG_SNAPSHOT_SECONDS = float(os.environ.get("ATIENDE_CONFIG_SNAPSHOT_SECONDS", 10))
# Status categories (or status keys) that stop the SLA clocks (docs/sla.md); comma-separated.
ATIENDE_SLA_PAUSED_STATUSES = os.environ.get(
    "ATIENDE_SLA_PAUSED_STATUSES", "pending,on_hold"
).split(",")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The scheduler would log its lock refresh every 5 seconds at INFO.
        "apscheduler": {"level": "WARNING"},
    },
}
