"""Settings for Painway, read from the environment.

The embedded defaults (a SQLite file and kombu's filesystem broker under ``var/``) let the
app run on a bare machine; production names PostgreSQL and Redis through ``DATABASE_URL``,
``CELERY_BROKER_URL`` and ``REDIS_URL``.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from pathway.pseudonym_key import pseudonym_key_from_environment

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PAINWAY_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Off unless set: `make run` and Procfile.dev set DEBUG=true for development.
DEBUG = env_bool("DEBUG", False)
# Keys that have been in this repository or its compose file: never good enough for a real service.
KNOWN_INSECURE_SECRET_KEYS = {"", "change-me", "dev-only-insecure-secret-key-change-me", "changeme", "secret"}
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if SECRET_KEY in KNOWN_INSECURE_SECRET_KEYS or SECRET_KEY.startswith("django-insecure"):
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is missing or a known default. Set SECRET_KEY to a long random value "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'), or DEBUG=true for development."
        )
    SECRET_KEY = "dev-only-insecure-secret-key-change-me"
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "pathway",
    "accounts",
    "referrals",
    "triage",
    "careplans",
    "outcomes",
    "reporting",
    "safeguarding",
    "programmes",
    "interop",
    "benchmark",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here, before sessions and the no-store header (they are cacheable).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "pathway.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "pathway.middleware.RejectNullCharactersMiddleware",
    "pathway.middleware.BoundedJsonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionIdleTimeoutMiddleware",
    "accounts.middleware.SecondFactorRequiredMiddleware",
    "pathway.audit.AuditMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that a lockout answers before the view (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pathway.urls"
WSGI_APPLICATION = "pathway.wsgi.application"

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
                "pathway.context_processors.roles",
            ],
            # After Django's own: the date filter with the service's formats made directly.
            "builtins": ["pathway.template_dates"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'painway.sqlite3'}"), conn_health_checks=True
    )
}
# PostgreSQL connections are kept for a minute and reused by the next request of the same worker (pinged
# first): opening one costs a few milliseconds a request (a new server process). The embedded SQLite
# default opens its file per request (the development server's threads would leave kept ones behind).
DATABASES["default"]["CONN_MAX_AGE"] = int(
    os.environ.get("DB_CONN_MAX_AGE", "60" if "postgresql" in DATABASES["default"]["ENGINE"] else "0")
)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
elif "postgresql" in DATABASES["default"]["ENGINE"]:
    # JIT compiling costs seconds on the report aggregates (hundreds of functions for one KPI)
    # and saves nothing on queries that read an index: off for every connection.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out user or address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the user, their roles and authenticator together on each request.
    "accounts.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
# Served from the app folders as they are when collectstatic has not run (tests, a quick start).
WHITENOISE_USE_FINDERS = True

# The links in e-mails, text messages and letters to patients and practices start with this.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Probes call these over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# A reverse proxy that ends TLS tells us so (set it only behind one that overwrites the header).
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin: a form post keeps its Origin (no-referrer makes Chromium send Origin: null, which CSRF refuses).
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)
# Everything from the app itself: no inline script, no external host (fonts included).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Bounds on a JSON request body: deeper or larger is a 400 before any parser sees it.
JSON_MAX_DEPTH = int(os.environ.get("JSON_MAX_DEPTH", "32"))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2 * 1024 * 1024)))

# Sign-in protection (django-axes): a user or an address is locked out after this many failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Behind N reverse proxies the client address is taken from X-Forwarded-For; otherwise that header is
# the client's own word and ignored.
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# Password reset by e-mail (Django's own views); development prints the e-mail on the console.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "painway@localhost")
PASSWORD_RESET_TIMEOUT = 60 * 60

OTP_TOTP_ISSUER = "Painway"
# Two-step sign-in (off only for tests that sign users in directly). The roles in OTP_REQUIRED_ROLES must
# give a code from an authenticator app after their password; others may choose to.
OTP_ENABLED = env_bool("OTP_ENABLED", True)
OTP_REQUIRED_ROLES = [
    r.strip() for r in os.environ.get("OTP_REQUIRED_ROLES", "service_lead,admin,commissioner").split(",") if r.strip()
]
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(12 * 60 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "pathway.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "pathway.api_errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Painway API",
    "DESCRIPTION": "Patient pathway system for NHS persistent-pain services.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One component per choice set that is used under more than one field name.
    "ENUM_NAME_OVERRIDES": {
        "EpisodeStateEnum": "pathway.models.EpisodeState",
        "RedFlagEnum": "referrals.models.RED_FLAGS",
        "DischargeReasonEnum": "pathway.models.DischargeReason",
        "EventKindEnum": "pathway.models.PathwayEvent.Kind",
        "LetterKindEnum": "pathway.models.LetterKind",
        "AppointmentKindEnum": "careplans.models.Appointment.Kind",
        "AppointmentOutcomeEnum": "careplans.models.Appointment.Outcome",
        "TreatmentKindEnum": "careplans.models.TreatmentStart.Kind",
        "TriageOutcomeEnum": "triage.models.TriageOutcome",
        "AppointmentModeEnum": "careplans.models.Appointment.Mode",
        "ProgrammeKindEnum": "programmes.models.Programme.Kind",
        "ProgrammeModeEnum": "programmes.models.Programme.Mode",
        "IncidentKindEnum": "safeguarding.models.Incident.Kind",
        "MedicationReviewOutcomeEnum": "careplans.models.MedicationReview.Outcome",
        "MedicationChangeEnum": "careplans.models.MedicationLine.Change",
        "DrugClassEnum": "careplans.models.DrugClass",
        "ExtensionStateEnum": "careplans.models.Extension.State",
    },
}

# Celery: kombu's filesystem transport needs no server, so `make run` works anywhere.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
# A message taken by a worker that died unseen (SIGKILL) returns to the queue after this many seconds (Redis).
BROKER_VISIBILITY_TIMEOUT = int(os.environ.get("BROKER_VISIBILITY_TIMEOUT", "3600"))
_broker_dir = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("in", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "in"),
        "data_folder_out": str(_broker_dir / "in"),
        "processed_folder": str(_broker_dir / "processed"),
        # Broadcast (control) messages; kombu's default is ./control in the working directory.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT}
# The queue tasks are published to, and so the one `celery worker` must consume (-Q), including the
# tasks that tasks queue (e.g. a PROM link's sending): set it to give a deployment sharing a broker
# (or a test run) queues of its own.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_IGNORE_RESULT = True
# Every task is idempotent, so each is acknowledged after it ran and given back if its worker dies; a
# worker takes one message at a time so that a death loses at most that one to redelivery.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = float(os.environ.get("CELERY_BROKER_CONNECTION_TIMEOUT", "4"))
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Local rules of the service (DESIGN.md section 4). Override any of them with a JSON object in
# the PATHWAY_RULES environment variable, e.g. PATHWAY_RULES='{"triage_working_days": 3}'.
PATHWAY_RULES_DEFAULTS = {
    "triage_working_days": 2,
    # The palliative fast track (referrals from an oncologist or palliative-care consultant only).
    "fast_track_triage_working_days": 1,
    "rtt_max_days_within": 126,
    "rtt_warning_weeks": [12, 16],
    "mdt_review_weeks": 4,
    "episode_limit_months": 9,
    "episode_warning_months": [7, 8],
    # A commissioner declined an extension past nine months: the discharge plan is due this many working days later.
    "declined_extension_discharge_plan_working_days": 10,
    "discharge_letter_working_days": 3,
    "medication_review_weeks": 6,
    "prescribing_advice_working_days": 3,
    "opioid_alert_working_days": 3,
    "ome_alert_threshold_mg": 100,
    "mental_health_referral_working_days": 1,
    "prom_reminder_days": 7,
    "prom_followup_months": 3,
    "prom_link_expiry_days": 28,
    "pseq_improvement_points": 7,
    "bpi_interference_improvement": 1.0,
    "eq5d_index_improvement": 0.05,
    "eq5d_value_set": "UK2026",
    "mds_submission_working_day": 10,
    "reengagement_months": 12,
    "min_age_years": 18,
    "min_pain_duration_months": 3,
    # ODS codes of the commissioners (ICBs / sub-ICB locations) that fund this service; empty =
    # every commissioner in the reference data.
    "commissioners_served": [],
    "attachment_max_bytes": 10 * 1024 * 1024,
    "attachment_content_types": ["application/pdf", "image/jpeg", "image/png"],
    # Group programmes: places per course (the PMP runs "in groups of 8-10"), sessions of an
    # education group, and how many sessions missed in a row make a clinician's follow-up task.
    "programme_min_places": 8,
    "programme_max_places": 10,
    "education_group_sessions": 2,
    "programme_missed_sessions_task": 2,
    # A signed-in browser session ends after this long without a request (a warning page says so).
    "session_idle_minutes": 30,
    # An API token stops working this many days after it was issued.
    "api_token_days": 30,
}
PATHWAY_RULES = {**PATHWAY_RULES_DEFAULTS, **json.loads(os.environ.get("PATHWAY_RULES", "{}") or "{}")}

# Key of the pseudonyms that commissioners see (monthly data set): never SECRET_KEY (pathway/pseudonym_key.py).
PSEUDONYM_KEY, PSEUDONYM_KEY_VERSION = pseudonym_key_from_environment(os.environ, debug=DEBUG, var_dir=VAR_DIR)

# MESH: electronic delivery of letters to GP practices.
# The local mesh-sandbox serves plain HTTP (uvicorn without TLS); real MESH endpoints are HTTPS
# with a client certificate (MESH_CLIENT_CERT / MESH_CLIENT_KEY) and the NHS CA (MESH_CA_BUNDLE).
MESH_URL = os.environ.get("MESH_URL", "http://127.0.0.1:8700")
MESH_MAILBOX = os.environ.get("MESH_MAILBOX", "X26ABC1")
MESH_PASSWORD = os.environ.get("MESH_PASSWORD", "password")
MESH_SHARED_KEY = os.environ.get("MESH_SHARED_KEY", "TestKey")
MESH_VERIFY_SSL = env_bool("MESH_VERIFY_SSL", False)
MESH_WORKFLOW_ID = os.environ.get("MESH_WORKFLOW_ID", "GPFED_CONSULT_REPORT")
MESH_CLIENT_CERT = os.environ.get("MESH_CLIENT_CERT", "")
MESH_CLIENT_KEY = os.environ.get("MESH_CLIENT_KEY", "")
MESH_CA_BUNDLE = os.environ.get("MESH_CA_BUNDLE", "")
MESH_TIMEOUT_SECONDS = float(os.environ.get("MESH_TIMEOUT_SECONDS", "30"))

# The KPI dashboard's 12-month trend caches each month that has ended for this long (0 = never).
REPORTING_TREND_CACHE_SECONDS = int(os.environ.get("REPORTING_TREND_CACHE_SECONDS", "3600"))

SERVICE_NAME = os.environ.get("SERVICE_NAME", "Painway Persistent Pain Service")
# How patients reach the single point of access to re-engage (a phone number, stated in discharge letters).
SPA_CONTACT = os.environ.get("SPA_CONTACT", "")
# Namespace of the service's own FHIR identifiers and questionnaire canonicals (interop/fhir/resources.py).
FHIR_SYSTEM_BASE = os.environ.get("FHIR_SYSTEM_BASE", "https://painway.example.org/fhir")

# Every log line passes the redacting filter: no query string (search terms), questionnaire token,
# NHS number, postcode or email reaches a log, including the development server's access log.
# Gunicorn's access log gets the same filter from gunicorn.conf.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "pathway.log_redaction.RedactingFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint writes eight INFO lines ("Step 1 - Fetching and parsing HTML", ...) for every PDF.
        "weasyprint.progress": {"level": "WARNING"},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
