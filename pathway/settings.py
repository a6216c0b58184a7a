"""Settings for Painway, read from the environment.

The embedded defaults (a SQLite file and kombu's filesystem broker under ``var/``) let the
app run on a bare machine; production names PostgreSQL and Redis through ``DATABASE_URL``,
``CELERY_BROKER_URL`` and ``REDIS_URL``.
"""

import json
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PAINWAY_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-secret-key-change-me")
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
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "pathway",
    "referrals",
    "triage",
    "careplans",
    "outcomes",
    "reporting",
    "interop",
    "benchmark",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "pathway.middleware.RejectNullCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'painway.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
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
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "SAMEORIGIN"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "pathway.authentication.TokenAuthentication",
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
    },
}

# Celery: kombu's filesystem transport needs no server, so `make run` works anywhere.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
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
# The queue tasks are published to, and so the one `celery worker` must consume (-Q), including the
# tasks that tasks queue (e.g. a PROM link's sending): set it to give a deployment sharing a broker
# (or a test run) queues of its own.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Local rules of the service (DESIGN.md section 4). Override any of them with a JSON object in
# the PATHWAY_RULES environment variable, e.g. PATHWAY_RULES='{"triage_working_days": 3}'.
PATHWAY_RULES_DEFAULTS = {
    "triage_working_days": 2,
    "rtt_max_days_within": 126,
    "rtt_warning_weeks": [12, 16],
    "mdt_review_weeks": 4,
    "episode_limit_months": 9,
    "episode_warning_months": [7, 8],
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
}
PATHWAY_RULES = {**PATHWAY_RULES_DEFAULTS, **json.loads(os.environ.get("PATHWAY_RULES", "{}") or "{}")}

# Salt for the pseudonyms that commissioners see (monthly data set, over-9-month list).
PSEUDONYM_KEY = os.environ.get("PSEUDONYM_KEY", SECRET_KEY)

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
# Namespace of the service's own FHIR identifiers and questionnaire canonicals (interop/fhir/resources.py).
FHIR_SYSTEM_BASE = os.environ.get("FHIR_SYSTEM_BASE", "https://painway.example.org/fhir")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
