"""VaultPay settings: one module, driven by the environment (see .env.example).

With no variables set, VaultPay runs on the embedded default: SQLite, a local-memory cache,
Celery tasks executed eagerly and email printed to the console. DATABASE_URL and REDIS_URL
switch to the production parts (PostgreSQL through psycopg 3, Redis for cache and broker).
"""

import hashlib
import sys
import warnings
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

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


def _secret(name: str) -> str:
    """A server-side secret from the environment; in development a value derived from the dev key."""
    value = env.str(name, default="")
    if value:
        return value
    if IS_PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set in production (see .env.example).")
    warnings.warn(
        f"{name} is not set: VaultPay is using a development value derived from the public key. "
        "Never run a real deployment like this.",
        stacklevel=2,
    )
    return hashlib.sha256(f"{_DEV_SECRET_KEY}:{name}".encode()).hexdigest()


# The pepper keys every transaction-PIN HMAC; it never touches the database.
PIN_PEPPER = _secret("PIN_PEPPER")
# Client IPs are stored only as HMAC-SHA256 under this key.
IP_HASH_KEY = _secret("IP_HASH_KEY")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # django.contrib.admin, with the moderator dashboard as its index (vaultpay.console).
    "vaultpay.apps.VaultPayAdminConfig",
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
    "audit",
    "accounts",
    "wallets",
    "ledger",
    "kyc",
]

MIDDLEWARE = [
    "vaultpay.request_id.RequestIdMiddleware",
    "vaultpay.health.HealthCheckMiddleware",
    "accounts.client_ip.ClientIpMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            # IMMEDIATE takes SQLite's write lock at BEGIN, so two postings never both read a
            # balance and then collide on the upgrade to a write lock ("database is locked").
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if not IS_POSTGRES:
    # The covering (INCLUDE) index that serves the spending-limit check is a PostgreSQL feature;
    # SQLite builds it without the included columns, which is all the embedded default needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
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
CELERY_BEAT_SCHEDULE = {
    "purge-expired-idempotency-keys": {
        "task": "ledger.tasks.purge_expired_idempotency_keys",
        "schedule": timedelta(hours=1),
    },
    "requeue-stale-email-deliveries": {
        "task": "accounts.tasks.requeue_stale_email_deliveries",
        "schedule": timedelta(minutes=10),
    },
    "sweep-missing-receipts": {
        "task": "ledger.tasks.sweep_missing_receipts",
        "schedule": timedelta(minutes=5),
    },
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
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
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
    ],
}

# --- Money ----------------------------------------------------------------------------------
IDEMPOTENCY_TTL = timedelta(hours=env.int("IDEMPOTENCY_TTL_HOURS", default=24))

# --- Spending limits -----------------------------------------------------------------------
# Outgoing withdrawals and transfers per UTC day and UTC month, per tier, in major units.
# Limits are set per currency, not converted: a wallet holds one currency, so what it has sent is
# always counted in that currency and no exchange rate is ever involved. Each currency has its own round
# amounts (about the same purchasing power); wallets.checks refuses to start if a supported
# currency or a tier is missing. KYC approval moves a wallet from "unverified" to "verified".
WALLET_LIMIT_TIERS = {
    "unverified": {
        "USD": {"daily": "500", "monthly": "2000"},
        "EUR": {"daily": "500", "monthly": "2000"},
        "GBP": {"daily": "400", "monthly": "1600"},
        "INR": {"daily": "40000", "monthly": "160000"},
        "NGN": {"daily": "750000", "monthly": "3000000"},
        "JPY": {"daily": "75000", "monthly": "300000"},
        "KWD": {"daily": "150", "monthly": "600"},
    },
    "verified": {
        "USD": {"daily": "10000", "monthly": "50000"},
        "EUR": {"daily": "10000", "monthly": "50000"},
        "GBP": {"daily": "8000", "monthly": "40000"},
        "INR": {"daily": "800000", "monthly": "4000000"},
        "NGN": {"daily": "15000000", "monthly": "75000000"},
        "JPY": {"daily": "1500000", "monthly": "7500000"},
        "KWD": {"daily": "3000", "monthly": "15000"},
    },
}

# --- Step-up -------------------------------------------------------------------------------
# With two-factor on, a withdrawal or transfer above this amount (major units, per currency) needs
# a one-time code in `otp`, as does a transfer to a recipient never paid before.
STEP_UP_ABOVE = {
    "USD": "1000",
    "EUR": "1000",
    "GBP": "800",
    "INR": "80000",
    "NGN": "1500000",
    "JPY": "150000",
    "KWD": "300",
}

# --- KYC ------------------------------------------------------------------------------------
# Master keys wrapping each document's data key: "key_id:base64_32_byte_key,...", newest first.
# New documents use the first; `manage.py rotate_kyc_keys` re-wraps older ones under it.
_DEV_KYC_MASTER_KEYS = "dev-insecure:" + "ZGV2LWluc2VjdXJlLWt5Yy1tYXN0ZXIta2V5LTAwMDA="
KYC_MASTER_KEYS = env.str("KYC_MASTER_KEYS", default=_DEV_KYC_MASTER_KEYS)
# Secret of the HMAC-SHA256 fingerprint that spots the same document uploaded by two users.
_DEV_KYC_FINGERPRINT_PEPPER = "vaultpay-insecure-development-kyc-pepper"  # noqa: S105
KYC_FINGERPRINT_PEPPER = env.str("KYC_FINGERPRINT_PEPPER", default=_DEV_KYC_FINGERPRINT_PEPPER)
# True when either KYC secret is the public development value: uploads are then refused when
# DJANGO_SECURE is on (see kyc.encryption), so a production deployment cannot run on them.
KYC_USING_DEV_SECRETS = KYC_MASTER_KEYS == _DEV_KYC_MASTER_KEYS or KYC_FINGERPRINT_PEPPER == _DEV_KYC_FINGERPRINT_PEPPER
if KYC_USING_DEV_SECRETS:
    warnings.warn(
        "KYC_MASTER_KEYS / KYC_FINGERPRINT_PEPPER are not set: KYC documents are encrypted under a "
        "public development key. Never run a real deployment like this.",
        stacklevel=1,
    )
KYC_MAX_UPLOAD_BYTES = env.int("KYC_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)

# --- Disputes -------------------------------------------------------------------------------
DISPUTE_WINDOW_DAYS = env.int("DISPUTE_WINDOW_DAYS", default=60)
DISPUTE_REVIEW_DAYS = env.int("DISPUTE_REVIEW_DAYS", default=7)
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
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Staff sign in to the console with a TOTP code too (accounts.services.console_login); staff who
# turned two-factor on need it whatever this says.
ADMIN_REQUIRE_MFA = env.bool("ADMIN_REQUIRE_MFA", default=SECURE)

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "vaultpay.request_id.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
