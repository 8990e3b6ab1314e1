"""VaultPay settings: one module, driven by the environment (see .env.example).

With no variables set, VaultPay runs on the embedded default: a private PostgreSQL started from a
pip wheel (vaultpay.embedded_db), a local-memory cache, Celery tasks executed eagerly and email
printed to the console. DATABASE_URL and REDIS_URL switch to the production parts (a PostgreSQL
server through psycopg 3, Redis for cache and broker).
"""

import hashlib
import sys
import warnings
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from vaultpay import amount_tables
from vaultpay.log_format import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# `make run` and manage.py read a .env file in the checkout when there is one (cp .env.example .env);
# variables already set in the environment win. The test suite never reads it: its runs must not
# depend on a developer's local file.
if (BASE_DIR / ".env").is_file() and "pytest" not in sys.modules:
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)

_DEV_SECRET_KEY = "vaultpay-insecure-development-key-never-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_DEV_SECRET_KEY)
if SECRET_KEY == _DEV_SECRET_KEY:
    warnings.warn(
        "DJANGO_SECRET_KEY is not set: VaultPay is using the public development key. "
        "Never run a real deployment like this.",
        stacklevel=1,
    )

# Production is any deployment with a real secret key or HTTPS hardening switched on: there, the
# secrets below have no defaults and VaultPay refuses to start without them.
IS_PRODUCTION = SECRET_KEY != _DEV_SECRET_KEY or env.bool("DJANGO_SECURE", default=False)

# Production secrets that are not set. They are collected, not raised one by one, so the operator
# learns every missing name from a single failed start (checked after the last secret is read).
_MISSING_SECRETS: list[str] = []
if IS_PRODUCTION and SECRET_KEY == _DEV_SECRET_KEY:
    _MISSING_SECRETS.append("DJANGO_SECRET_KEY")


def _secret(name: str, *, development_value: str | None = None) -> str:
    """A server-side secret from the environment; in development a public development value."""
    value = env.str(name, default="")
    if value:
        return value
    if IS_PRODUCTION:
        _MISSING_SECRETS.append(name)
        return ""
    warnings.warn(
        f"{name} is not set: VaultPay is using a public development value. Never run a real deployment like this.",
        stacklevel=2,
    )
    return development_value or hashlib.sha256(f"{_DEV_SECRET_KEY}:{name}".encode()).hexdigest()


# The pepper keys every transaction-PIN HMAC; it never touches the database.
PIN_PEPPER = _secret("PIN_PEPPER")
# Client IPs are stored only as HMAC-SHA256 under this key.
IP_HASH_KEY = _secret("IP_HASH_KEY")
# Keys the audit chain's link hashes and checkpoints: without it, a rewritten chain cannot verify.
AUDIT_CHAIN_KEY = _secret("AUDIT_CHAIN_KEY")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # django.contrib.admin, with the moderator dashboard as its index (vaultpay.console).
    "vaultpay.apps.VaultPayAdminConfig",
    "vaultpay.apps.VaultPayConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "anymail",
    "django_prometheus",
    "constance",
    "audit",
    "accounts",
    "wallets",
    "ledger",
    "kyc",
]

MIDDLEWARE = [
    # django-prometheus times each request between its Before (first) and After (last) middleware.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "vaultpay.request_id.RequestIdMiddleware",
    "vaultpay.access_log.AccessLogMiddleware",
    "vaultpay.cache_headers.NoStoreForAuthenticatedMiddleware",
    "vaultpay.health.HealthCheckMiddleware",
    "accounts.client_ip.ClientIpMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF: the CSRF check reads form bodies, and the body cap must come first.
    "vaultpay.uploads.RequestBodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "vaultpay.urls"
WSGI_APPLICATION = "vaultpay.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# PostgreSQL always. DATABASE_URL names a server; without it, the embedded default: a private
# PostgreSQL whose data lives in the checkout (.vaultpay/postgres/data), started by manage.py and
# `make run` (vaultpay.embedded_db), on a Unix socket only.
if env.str("DATABASE_URL", default=""):
    # django-prometheus's PostgreSQL backend is Django's, counting queries and errors per connection.
    DATABASES = {"default": env.db_url("DATABASE_URL", engine="django_prometheus.db.backends.postgresql")}
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    from vaultpay.embedded_db.shared_server import checkout_server

    DATABASES = {"default": checkout_server().django_database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis, counting gets, hits and misses for Prometheus.
            "BACKEND": "django_prometheus.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "vaultpay"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL or "memory://"
# Without a broker there is no worker: run tasks in-process so receipts still go out. The test
# suite does the same whatever the broker, so it can assert on the emails a change sends.
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == "memory://" or "pytest" in sys.modules
)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# The audit sequencer (audit.sealing) runs this often: an event stays unchained at most about this long.
AUDIT_SEAL_INTERVAL = timedelta(seconds=env.float("AUDIT_SEAL_INTERVAL_SECONDS", default=1.0))
# verify_audit reports an event still unsealed after this long (slipped in past the sequencer).
AUDIT_SEAL_MAX_LAG = timedelta(seconds=env.int("AUDIT_SEAL_MAX_LAG_SECONDS", default=600))
# How far back the sequencer looks for committed-but-unsealed events (a transaction open that long).
AUDIT_SEAL_LOOKBACK = timedelta(seconds=env.int("AUDIT_SEAL_LOOKBACK_SECONDS", default=3600))
# How long `manage.py outbox_relay` waits between two passes over the outbox (receipts) that were not
# full: the most a receipt waits for its pass, and what lets one pass carry many postings.
OUTBOX_POLL_INTERVAL = env.float("OUTBOX_POLL_INTERVAL_SECONDS", default=0.1)
# The worker logs through LOGGING below (JSON lines with the request id), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "purge-expired-idempotency-keys": {
        "task": "ledger.tasks.purge_expired_idempotency_keys",
        "schedule": timedelta(hours=1),
    },
    "requeue-stale-email-deliveries": {
        "task": "accounts.tasks.requeue_stale_email_deliveries",
        "schedule": timedelta(minutes=10),
    },
    "seal-audit-events": {
        "task": "audit.tasks.seal_audit_events",
        "schedule": AUDIT_SEAL_INTERVAL,
    },
    # A backstop for the outbox relay process (`manage.py outbox_relay`), which delivers within
    # OUTBOX_POLL_INTERVAL; with no relay deployed, messages still leave within this period.
    "relay-outbox": {
        "task": "ledger.tasks.relay_outbox",
        "schedule": timedelta(seconds=10),
    },
    # Holds past their expiry go back to their wallets within a minute.
    "expire-holds": {"task": "ledger.tasks.expire_holds", "schedule": timedelta(seconds=30)},
    # Webhook retries and deliveries whose worker died mid-send (accounts.webhooks.delivery).
    "retry-due-webhooks": {"task": "accounts.webhooks.tasks.retry_due_webhooks", "schedule": timedelta(seconds=15)},
    # /readyz wants a heartbeat newer than a minute (vaultpay.health).
    "worker-heartbeat": {"task": "vaultpay.worker_heartbeat", "schedule": timedelta(seconds=20)},
}

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="VaultPay <no-reply@vaultpay.local>")
if env.str("BREVO_API_KEY", default=""):
    EMAIL_BACKEND = "anymail.backends.brevo.EmailBackend"
    ANYMAIL = {"BREVO_API_KEY": env.str("BREVO_API_KEY")}
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# An explicit backend wins (e.g. django.core.mail.backends.smtp.EmailBackend, or the file backend).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=EMAIL_BACKEND)
if env.str("EMAIL_FILE_PATH", default=""):
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    # simplejwt signs and checks the tokens; rotation, single use and revocation are VaultPay's own
    # (accounts.services.sessions: each refresh-token family is a session row), so simplejwt's views
    # and blacklist app are not used.
    "AUTH_HEADER_TYPES": ("Bearer",),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.VaultPayJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies only (vaultpay.parsers refuses over-deep nesting); the endpoints that take an
    # uploaded file add multipart themselves.
    "DEFAULT_PARSER_CLASSES": ["vaultpay.parsers.BoundedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "vaultpay.schema.VaultPayAutoSchema",
    "EXCEPTION_HANDLER": "vaultpay.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "VaultPay API",
    "DESCRIPTION": "Digital wallet: accounts, wallets, a double-entry ledger and idempotent money movement.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "vaultpay.schema.postprocess_common_errors",
        "vaultpay.schema.postprocess_exact_forms",
        "vaultpay.schema.postprocess_links",
    ],
}

# --- Money ----------------------------------------------------------------------------------
IDEMPOTENCY_TTL = timedelta(hours=env.int("IDEMPOTENCY_TTL_HOURS", default=24))
# Holds (ledger.services.holds): released when not captured within this; a client may ask for less
# or more, up to the maximum.
HOLD_DEFAULT_EXPIRY = timedelta(seconds=env.int("HOLD_DEFAULT_EXPIRY_SECONDS", default=7 * 24 * 3600))
HOLD_MAX_EXPIRY = timedelta(seconds=env.int("HOLD_MAX_EXPIRY_SECONDS", default=30 * 24 * 3600))

# --- Statements (GET /api/v1/wallet/statement) ------------------------------------------------
STATEMENT_MAX_DAYS = env.int("STATEMENT_MAX_DAYS", default=366)
# Above this many entries a JSON or CSV statement streams from a server-side cursor instead of
# being built whole in memory.
STATEMENT_STREAM_ABOVE = env.int("STATEMENT_STREAM_ABOVE", default=100_000)

# --- Spending limits -----------------------------------------------------------------------
# Outgoing withdrawals and transfers per UTC day and UTC month, per tier, in major units of each
# currency (vaultpay.amount_tables): a wallet holds one currency, so what it has sent is always
# counted in that currency and no exchange rate is ever involved. wallets.checks refuses to start if
# a supported currency or a tier is missing. KYC approval moves a wallet from "unverified" to "verified".
WALLET_LIMIT_TIERS = amount_tables.LIMIT_TIERS

# Payments a sender may push per UTC day to a recipient they had never paid before today (after a
# first day, the spending limits are the only cap): unsolicited 0.01 transfers cannot flood an inbox.
TRANSFER_NEW_RECIPIENT_DAILY_MAX = env.int("TRANSFER_NEW_RECIPIENT_DAILY_MAX", default=5)

# --- KYC ------------------------------------------------------------------------------------
# Master keys wrapping each sealed file's data key (KYC documents and dispute evidence):
# "key_id:base64_32_byte_key,...", newest first. New files use the first; `manage.py rotate_kyc_keys`
# re-wraps older ones under it.
_DEV_KYC_MASTER_KEYS = "dev-insecure:" + "ZGV2LWluc2VjdXJlLWt5Yy1tYXN0ZXIta2V5LTAwMDA="
KYC_MASTER_KEYS = _secret("KYC_MASTER_KEYS", development_value=_DEV_KYC_MASTER_KEYS)
# Secret of the HMAC-SHA256 fingerprint that spots the same document uploaded by two users.
_DEV_KYC_FINGERPRINT_PEPPER = "vaultpay-insecure-development-kyc-pepper"  # noqa: S105
KYC_FINGERPRINT_PEPPER = _secret("KYC_FINGERPRINT_PEPPER", development_value=_DEV_KYC_FINGERPRINT_PEPPER)
if _MISSING_SECRETS:
    raise ImproperlyConfigured(
        "These secrets must be set in production (see .env.example): " + ", ".join(_MISSING_SECRETS)
    )
# True when either KYC secret is the public development value (or set to it by hand): sealing is
# then refused when DJANGO_SECURE is on (see vaultpay.envelope), a second guard behind the check above.
KYC_USING_DEV_SECRETS = KYC_MASTER_KEYS == _DEV_KYC_MASTER_KEYS or KYC_FINGERPRINT_PEPPER == _DEV_KYC_FINGERPRINT_PEPPER
KYC_MAX_UPLOAD_BYTES = env.int("KYC_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)

# --- Webhooks ------------------------------------------------------------------------------
# Plain http and loopback targets (127.0.0.1, ::1, localhost) are for a receiver on the developer's
# machine: allowed only when DJANGO_DEBUG is on unless set explicitly, and never in production.
WEBHOOK_ALLOW_LOOPBACK = env.bool("WEBHOOK_ALLOW_LOOPBACK", default=DEBUG) and not IS_PRODUCTION
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
# Exponential backoff between attempts (30 s, 1 min, 2 min, ... at most 6 h), for up to 3 days.
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_RETRY_MAX_DELAY_SECONDS = env.int("WEBHOOK_RETRY_MAX_DELAY_SECONDS", default=6 * 3600)
WEBHOOK_RETRY_WINDOW_HOURS = env.int("WEBHOOK_RETRY_WINDOW_HOURS", default=72)
# A worker's claim on a delivery: if it dies mid-send, the delivery is sent again after this.
WEBHOOK_CLAIM_LEASE_SECONDS = env.int("WEBHOOK_CLAIM_LEASE_SECONDS", default=60)
# Consecutive failed attempts (over all its deliveries) after which an endpoint is disabled.
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=20)
WEBHOOK_MAX_ENDPOINTS_PER_USER = env.int("WEBHOOK_MAX_ENDPOINTS_PER_USER", default=10)
# After a secret rotation, deliveries carry a signature under the old secret too, for this long.
WEBHOOK_SECRET_OVERLAP = timedelta(hours=env.int("WEBHOOK_SECRET_OVERLAP_HOURS", default=24))

# --- Disputes -------------------------------------------------------------------------------
DISPUTE_WINDOW_DAYS = env.int("DISPUTE_WINDOW_DAYS", default=60)
DISPUTE_REVIEW_DAYS = env.int("DISPUTE_REVIEW_DAYS", default=7)
# Dual control: a dispute reversal above this amount (major units, per currency) is only proposed by
# one moderator and posted when a second one approves it. A currency missing here needs a second
# moderator for every reversal. Override as JSON, e.g. DISPUTE_DUAL_CONTROL_ABOVE='{"USD": "500", ...}'.
DISPUTE_DUAL_CONTROL_ABOVE = env.json("DISPUTE_DUAL_CONTROL_ABOVE", default=amount_tables.LARGE_PAYMENT)
DISPUTE_EVIDENCE_MAX_BYTES = env.int("DISPUTE_EVIDENCE_MAX_BYTES", default=5 * 1024 * 1024)

# --- Account security ------------------------------------------------------------------------
# How many reverse proxies append to X-Forwarded-For in front of VaultPay. 0: the socket address is
# the client. Never more than really exist: a client can forge every entry left of our proxies.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Base of the links in emails (new-IP confirmation).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://localhost:8000").rstrip("/")

# Rate limits (django-ratelimit on the default cache): "<count>/<period>", period s, m, h or d.
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_USE_CACHE = "default"
RATELIMIT_SIGNUP = env.str("RATELIMIT_SIGNUP", default="10/h")  # per client IP
# Login failures only (accounts.login_throttle): per client IP, and per account and client IP.
RATELIMIT_LOGIN_IP = env.str("RATELIMIT_LOGIN_IP", default="50/h")
RATELIMIT_LOGIN_ACCOUNT_IP = env.str("RATELIMIT_LOGIN_ACCOUNT_IP", default="10/h")
# Password reset, email verification and two-factor endpoints: per user, or per IP when anonymous.
RATELIMIT_ACCOUNT_CODES = env.str("RATELIMIT_ACCOUNT_CODES", default="10/h")
RATELIMIT_PIN = env.str("RATELIMIT_PIN", default="20/h")  # per user (or per IP when anonymous)
RATELIMIT_MONEY = env.str("RATELIMIT_MONEY", default="120/m")  # per user, each money endpoint
RATELIMIT_DISPUTE = env.str("RATELIMIT_DISPUTE", default="10/h")  # disputes opened per user
RATELIMIT_WALLET_LOOKUP = env.str("RATELIMIT_WALLET_LOOKUP", default="30/m")  # per user, recipient lookups
RATELIMIT_STATEMENT = env.str("RATELIMIT_STATEMENT", default="60/h")  # per user, statements of any format

# --- Static files, i18n ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if "pytest" in sys.modules:
    # Tests render the admin without running collectstatic first.
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Security -------------------------------------------------------------------------------
SECURE = env.bool("DJANGO_SECURE", default=False)
SECURE_SSL_REDIRECT = SECURE
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Every request body is capped at this size before it is read (vaultpay.uploads), except the upload
# views, held to their file cap; files stay in memory and never reach a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = ["vaultpay.uploads.MemoryOnlyUploadHandler"]
# Staff sign in to the console with a TOTP code too (accounts.services.console_login); staff who
# turned two-factor on need it whatever this says.
ADMIN_REQUIRE_MFA = env.bool("ADMIN_REQUIRE_MFA", default=SECURE)

# --- Step-up --------------------------------------------------------------------------------
# With two-factor on, a withdrawal or transfer above this amount (major units, per currency) needs
# a one-time code in `otp`, as does a transfer to a recipient never paid before.
# JSON, e.g. STEP_UP_ABOVE={"USD": "1000.00", "EUR": "1000.00"}.
STEP_UP_ABOVE = env.json("STEP_UP_ABOVE", default=amount_tables.LARGE_PAYMENT)

# --- Console-tunable settings (django-constance) --------------------------------------------
# Super admins may change these in the console (Constance -> Config); empty means the value above,
# from the environment, holds. Validated by vaultpay.console_settings, audited by vaultpay.admin,
# read through vaultpay.console_settings (cached in each process for a few seconds).
from vaultpay.console_settings_config import *  # noqa: E402, F403 - the CONSTANCE_* settings

# --- Metrics --------------------------------------------------------------------------------
# Bearer token Prometheus sends to scrape /metrics. Unset: /metrics answers 404 (never public).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- Logging --------------------------------------------------------------------------------
# "plain" (one readable line) or "json" (one JSON object per line; the Docker image's default).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be plain or json.")
LOGGING = logging_config(
    log_format=LOG_FORMAT,
    level=env.str("LOG_LEVEL", default="INFO"),
    access_level=env.str("ACCESS_LOG_LEVEL", default="INFO"),
)
