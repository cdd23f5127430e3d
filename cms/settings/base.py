"""Settings shared by every environment.

Differences between environments live in dev/test/production; anything that differs between
machines (database, secret key, hosts) comes from the environment, so one code base runs
everywhere.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


INSTALLED_APPS = [
    "cms",
    "cases",
    "graphql_api",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "graphene_django",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost after security: times the whole request, turns API failures into JSON.
    "cms.middleware.RequestObservabilityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Authority staff finish the sign-in with a one-time code before any admin page (cms/accounts.py).
    "cms.accounts.RequireOTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes requires: answers a locked-out login with its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"

# DATABASE_URL takes any dj-database-url form (postgres://…, sqlite:///…); without it the
# registry runs on a SQLite file in the project folder so a newcomer needs no server.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout keep the embedded database usable by the dev server and the
    # background task worker at the same time.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

else:
    # Django's cursors bind on the client and are never prepared; a threshold (instead of
    # Django's None, "never") lets the hot reads of cases/prepared.py ask for prepared statements
    # explicitly. No other cursor reaches it. Not for a transaction-pooling PgBouncer before 1.21.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 1_000_000)
    # No JIT compilation: it pays off for long analytic scans, not for a page's statements, yet
    # any statement the planner costs high (a count, a search's union at province size) was
    # compiled first, 0.5 s of LLVM before a query of a few ms. Set when connecting (no round trip).
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# dumpdata/loaddata keep every microsecond (the audit log's hash chain covers its timestamps).
SERIALIZATION_MODULES = {"json": "cms.serializers.json", "jsonl": "cms.serializers.jsonl"}

AUTHENTICATION_BACKENDS = [
    "cms.accounts.LoginThrottleBackend",  # django-axes: refuses a locked-out login before the password check
    "django.contrib.auth.backends.ModelBackend",
]

# --- Accounts: login throttling (django-axes) and two-factor sign-in (django-otp) ------------
# Failures are counted per username *and* address together: a stranger guessing from his own
# address cannot lock a colleague out, and is stopped after AXES_FAILURE_LIMIT tries for 15
# minutes. Attempts live in the database (shared by all workers). The address is REMOTE_ADDR,
# as for the other limits (cases/ratelimit.py).
AXES_FAILURE_LIMIT = int(os.environ.get("XUEJI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "cases.ratelimit.client_ip"
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_VERBOSE = False
# Two-factor sign-in (TOTP, any authenticator app) for the staff of county, city and province
# units; school registrars too when XUEJI_OTP_FOR_SCHOOLS is on.
XUEJI_OTP_FOR_AUTHORITIES = env_bool("XUEJI_OTP_FOR_AUTHORITIES", True)
XUEJI_OTP_FOR_SCHOOLS = env_bool("XUEJI_OTP_FOR_SCHOOLS", False)
OTP_TOTP_ISSUER = "甘肃学籍"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# One date form (2026年12月1日) for display and input: cms/formats/zh_Hans/formats.py.
FORMAT_MODULE_PATH = ["cms.formats"]
# Our translations of what Wagtail leaves in English (empty lists, the login page…) win.
LOCALE_PATHS = [BASE_DIR / "locale"]

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

LOGIN_URL = "wagtailadmin_login"

# Background work (batches, PDFs, imports) goes through the Django Tasks API; the database
# backend needs nothing beyond the registry's own database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Wagtail -------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "甘肃省中小学生学籍管理"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文")]
# No outbound calls: no update check, no gravatar, no embeds from third parties.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAIL_USAGE_COUNT_ENABLED = False
# Date pickers write 2026年12月1日 (cases/admin/widgets.py renders it without zero padding).
WAGTAIL_DATE_FORMAT = "%Y年%m月%d日"
WAGTAIL_DATETIME_FORMAT = "%Y年%m月%d日 %H:%M"
# No autosave: a case changes only through its services (and autosave speaks English).
WAGTAIL_AUTOSAVE_INTERVAL = 0
# One time zone for everybody: the account page then offers no list of English zone names.
WAGTAIL_USER_TIME_ZONES = ["Asia/Shanghai"]
WAGTAILADMIN_USER_LOGIN_FORM = "cases.admin.login.RegistryLoginForm"
# Workflow mail goes to a step's approvers and the case's submitter, not to every superuser: the
# operator is no registrar, and a province's every case would fill their inbox.
WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS = False
# No per-field comments on policy pages: staff discuss a case in its approval comments (退回
# requires one); a side conversation on a page nobody is notified of is not a registry record.
WAGTAILADMIN_COMMENTS_ENABLED = False
# Evidence is private: documents are served by Wagtail's view, which checks permissions,
# never by redirecting to a public file URL.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["pdf", "jpg", "jpeg", "png"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024


# --- The registry -------------------------------------------------------------------------
# The province this installation serves (GB/T 2260 two-digit code).
XUEJI_PROVINCE_CODE = os.environ.get("XUEJI_PROVINCE_CODE", "62")
# 16-digit legacy numbers: "教委定义…校验位", so the algorithm is chosen per installation.
XUEJI_LEGACY_CHECK_DIGIT = os.environ.get(
    "XUEJI_LEGACY_CHECK_DIGIT", "cases.numbers.legacy.iso7064_mod11_10"
)
# Final approval of a case applies it (cases/finish.py) instead of publishing a revision.
WAGTAIL_FINISH_WORKFLOW_ACTION = "cases.finish.finish_case"
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = False

# --- GraphQL API (graphql_api/, docs/api.md) -------------------------------------------------
GRAPHENE = {
    "SCHEMA": "graphql_api.schema.schema",
    # Pages of at most 100 (first/last); a connection without first/last gets 100.
    "RELAY_CONNECTION_MAX_LIMIT": 100,
    # Services own their transactions; a mutation is one service call.
    "ATOMIC_MUTATIONS": False,
    # No middleware here: the API's view always applies its own (graphql_api/core/fields.py:
    # arguments checked, reads noted, joins scoped as the root), whatever is configured.
    "MIDDLEWARE": [],
}
# Introspection (and so GraphiQL's schema explorer): on in development and tests, off in
# production unless XUEJI_GRAPHQL_INTROSPECTION=1.
XUEJI_GRAPHQL_INTROSPECTION = env_bool("XUEJI_GRAPHQL_INTROSPECTION", True)
# Cost control: nesting depth, and an estimate of the rows × fields a query may touch (each
# connection multiplies what it contains by its page size, each list by 5).
XUEJI_GRAPHQL_MAX_DEPTH = int(os.environ.get("XUEJI_GRAPHQL_MAX_DEPTH", "10"))
XUEJI_GRAPHQL_MAX_COST = int(os.environ.get("XUEJI_GRAPHQL_MAX_COST", "50000"))
XUEJI_GRAPHQL_MAX_QUERY_LENGTH = int(os.environ.get("XUEJI_GRAPHQL_MAX_QUERY_LENGTH", "20000"))
# Anonymous callers (the public part of the schema) are checked before their body is parsed:
# at most this many bytes, and this many requests a minute per IP and for all of them together.
XUEJI_GRAPHQL_ANON_MAX_BYTES = int(os.environ.get("XUEJI_GRAPHQL_ANON_MAX_BYTES", "4096"))
XUEJI_GRAPHQL_ANON_PER_MINUTE = int(os.environ.get("XUEJI_GRAPHQL_ANON_PER_MINUTE", "60"))
XUEJI_GRAPHQL_ANON_ALL_PER_MINUTE = int(os.environ.get("XUEJI_GRAPHQL_ANON_ALL_PER_MINUTE", "3000"))
# Personal API tokens (Authorization: Bearer …): longest validity in days.
XUEJI_API_TOKEN_MAX_DAYS = int(os.environ.get("XUEJI_API_TOKEN_MAX_DAYS", "365"))

# --- Public pages (cms/views.py): status lookup rate limits ---------------------------------
# Counted in the Django cache: in production use a cache shared by all workers (Redis,
# database), or each worker counts on its own.
XUEJI_LOOKUP_LIMIT_PER_IP = int(os.environ.get("XUEJI_LOOKUP_LIMIT_PER_IP", "10"))
XUEJI_LOOKUP_IP_PERIOD = 3600
# All callers together: a circuit breaker against enumeration from many addresses.
XUEJI_LOOKUP_LIMIT_GLOBAL = int(os.environ.get("XUEJI_LOOKUP_LIMIT_GLOBAL", "600"))
XUEJI_LOOKUP_GLOBAL_PERIOD = 60
# One ID number pauses only when this many different IPs failed on it within the window (a
# stranger alone cannot lock a parent out), and only until the window ends; an IP that found
# the student before is trusted for that ID (cases/services/public.py).
XUEJI_LOOKUP_ID_FAILING_IPS = int(os.environ.get("XUEJI_LOOKUP_ID_FAILING_IPS", "5"))
XUEJI_LOOKUP_ID_PERIOD = 15 * 60
XUEJI_LOOKUP_TRUST_PERIOD = 30 * 24 * 3600

# --- Operations ------------------------------------------------------------------------------
# Requests slower than this are logged (cms/middleware.py), with path, status and duration.
XUEJI_SLOW_REQUEST_MS = int(os.environ.get("XUEJI_SLOW_REQUEST_MS", "1000"))
# A batch print renews its lease with every page; a running job silent for longer lost its
# worker and is resumed, at most this many runs in all (cases/services/print_jobs.py).
XUEJI_PRINT_JOB_LEASE_SECONDS = int(os.environ.get("XUEJI_PRINT_JOB_LEASE_SECONDS", "120"))
XUEJI_PRINT_JOB_MAX_ATTEMPTS = int(os.environ.get("XUEJI_PRINT_JOB_MAX_ATTEMPTS", "3"))
# How often each RQ worker runs its maintenance (registries, lost print jobs): cases/worker.py.
XUEJI_WORKER_MAINTENANCE_SECONDS = int(os.environ.get("XUEJI_WORKER_MAINTENANCE_SECONDS", "60"))
