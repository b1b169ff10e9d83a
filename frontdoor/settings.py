"""Frontdoor settings: everything a deployment changes comes from the environment.

The embedded defaults run the whole system on one machine with SQLite, a local media
folder and e-mail written to the console, so `make run` needs no services. See README
"Configuration" for every variable and the production checklist.
"""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from frontdoor.env import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_str,
    env_time_zone,
    env_url,
    parse_email_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("FRONTDOOR_VAR_DIR", str(BASE_DIR / "var")))
TESTING = "pytest" in sys.modules
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", default=False)
_DEV_SECRET = "insecure-local-development-key-change-me-in-production-0123456789"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET)
if not DEBUG and SECRET_KEY == _DEV_SECRET and env_bool("FRONTDOOR_PRODUCTION", False):
    raise ImproperlyConfigured("SECRET_KEY must be set when FRONTDOOR_PRODUCTION=true.")

SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
    "modeltranslation",  # must precede django.contrib.admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "frontdoor.core",
    "frontdoor.accounts",
    "frontdoor.catalogue",
    "frontdoor.cases",
    "frontdoor.notifications",
    "frontdoor.knowledge",
    "frontdoor.open311",
    "frontdoor.staff",
    "frontdoor.geocoding",
    "frontdoor.portal",
    "frontdoor.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "frontdoor.staff.middleware.StaffMiddleware",
    "frontdoor.portal.middleware.CityTimeZoneMiddleware",
]

ROOT_URLCONF = "frontdoor.urls"
WSGI_APPLICATION = "frontdoor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontdoor" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "frontdoor.staff.navigation.staff_layout",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite runs in WAL mode with a busy timeout and IMMEDIATE transactions, so the web
# server and the worker can write concurrently without "database is locked" errors.
_default_db_url = f"sqlite:///{VAR_DIR / 'frontdoor.sqlite3'}"
_db_url = env_str("DATABASE_URL", _default_db_url)
try:
    _db = dj_database_url.parse(_db_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
except (ValueError, KeyError) as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
        ),
    }
    _db["TEST"] = {"NAME": None}  # in-memory database for tests
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("TEST", {})
    # Parallel test runs (pytest-xdist) suffix this name per worker.
    _db["TEST"]["NAME"] = env_str("TEST_DATABASE_NAME", f"test_{_db['NAME']}_frontdoor")
else:
    raise ImproperlyConfigured(
        f"DATABASE_URL engine {_db['ENGINE']!r} is not supported; use sqlite:// or postgres://."
    )
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_ADAPTER = "frontdoor.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Two-factor sign-in: available to everyone from the account menu, required for
# administrators (frontdoor.staff.middleware). WebAuthn keys could be added later.
MFA_ADAPTER = "frontdoor.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# MFA_TOTP_TOLERANCE stays 0: a used code is remembered for one 30-second period only, so
# accepting neighbouring periods would let a seen code be replayed.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# --- Internationalisation ----------------------------------------------------------------
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LANGUAGE_CODE = env_choice("LANGUAGE_CODE", "en", [code for code, _name in LANGUAGES])
TIME_ZONE = env_time_zone("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "frontdoor" / "locale"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)

# --- Static and uploaded files -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
_S3_BUCKET = env_str("S3_BUCKET", "")
if _S3_BUCKET:
    try:
        import boto3  # noqa: F401
    except ImportError:
        raise ImproperlyConfigured(
            "S3_BUCKET is set but boto3 is missing; install with `pip install frontdoor[s3]`."
        ) from None
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY", "") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FRONTDOOR_MAX_PHOTO_BYTES = env_int("MAX_PHOTO_BYTES", 15 * 1024 * 1024, minimum=1024)
FRONTDOOR_PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 2048, minimum=256)

# --- E-mail ------------------------------------------------------------------------------
_email_url = env_str("EMAIL_URL", "")
if _email_url:
    globals().update(parse_email_url(_email_url))
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
    EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Frontdoor 311 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Attempts before a notification is given up (backoff doubles from NOTIFY_RETRY_SECONDS).
FRONTDOOR_NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 6, minimum=1)
FRONTDOOR_NOTIFY_RETRY_SECONDS = env_int("NOTIFY_RETRY_SECONDS", 60, minimum=1)

# Share of a request's service-level time after which its group is warned (0.75: with a
# quarter of the time left).
SLA_AT_RISK_SHARE = env_float("SLA_AT_RISK_SHARE", 0.75, minimum=0.01, maximum=1.0)

# Seconds a process may serve catalogue data (services, questions, zones, rules) from memory
# after another process changed it; 0 turns the cache off.
CATALOGUE_CACHE_SECONDS = env_int("CATALOGUE_CACHE_SECONDS", 10, minimum=0)
# Rendered Open311 request items kept per web process (keyed by request version).
OPEN311_CACHE_ITEMS = env_int("OPEN311_CACHE_ITEMS", 20_000, minimum=0)

# --- Resident portal ---------------------------------------------------------------------
# Map tiles: a URL template such as https://tile.example.org/{z}/{x}/{y}.png (empty: the map
# shows only the city's outline; the address box and "use my location" work either way).
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "")
# Anonymous submissions per client address, and failed tracking look-ups, per window.
PORTAL_SUBMISSIONS_PER_WINDOW = env_int("PORTAL_SUBMISSIONS_PER_WINDOW", 20, minimum=0)
PORTAL_FAILED_LOOKUPS_PER_WINDOW = env_int("PORTAL_FAILED_LOOKUPS_PER_WINDOW", 30, minimum=0)
PORTAL_RATE_WINDOW_SECONDS = env_int("PORTAL_RATE_WINDOW_SECONDS", 3600, minimum=1)
# Which request header holds the client's address behind a proxy (e.g. HTTP_X_FORWARDED_FOR);
# empty: the connection's address (REMOTE_ADDR).
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER", "")
# Open requests of the same service within this distance are offered as "me too".
PORTAL_NEARBY_METRES = env_int("PORTAL_NEARBY_METRES", 150, minimum=1)

# Addresses: "local" (the city's address points, `manage.py load_addresses`) or "nominatim"
# (a Nominatim-compatible service at NOMINATIM_URL; any failure falls back to the local index).
GEOCODER = env_choice("GEOCODER", "local", ["local", "nominatim"])
NOMINATIM_URL = env_str("NOMINATIM_URL", "")
if GEOCODER == "nominatim":
    NOMINATIM_URL = env_url("NOMINATIM_URL", NOMINATIM_URL)
NOMINATIM_EMAIL = env_str("NOMINATIM_EMAIL", "")
GEOCODER_TIMEOUT = env_float("GEOCODER_TIMEOUT", 3.0, minimum=0.1, maximum=30.0)
GEOCODER_USER_AGENT = env_str("GEOCODER_USER_AGENT", f"Frontdoor-311 ({SITE_URL})")

# --- Background jobs ------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# Seconds between runs of the worker's periodic sweeps.
FRONTDOOR_SWEEP_INTERVAL = env_int("SWEEP_INTERVAL", 60, minimum=1)

# --- Security ------------------------------------------------------------------------------
_https = SITE_URL.startswith("https://")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _https else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _https)
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _https else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _https)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", [])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    MEDIA_ROOT = VAR_DIR / "test-media"
