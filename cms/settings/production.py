"""Production: everything secret or machine-specific comes from the environment.

Several application servers (gunicorn) and task workers (RQ) share one PostgreSQL and one
Redis (docs/deploy.md). Redis is required: it is the cache every worker shares (the public
lookup's rate limits, sessions) and the task queue.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403


def required(name):
    value = os.environ.get(name, "").strip()  # noqa: F405
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production (docs/deploy.md)")
    return value


DEBUG = False
SECRET_KEY = required("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")  # noqa: F405
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")  # noqa: F405
# Printed in certificates' QR codes: a default would put "localhost" on paper.
WAGTAILADMIN_BASE_URL = required("WAGTAILADMIN_BASE_URL")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)  # noqa: F405
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS only (`manage.py check --deploy` is clean with these): the proxy terminates TLS and sets
# X-Forwarded-Proto; plain HTTP is redirected, and browsers are told to stay on HTTPS.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)  # noqa: F405
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))  # noqa: F405
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)  # noqa: F405
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)  # noqa: F405
# Wagtail's page preview shows the site in a frame of the admin (same origin), so frames stay
# allowed from the same origin only instead of the DENY that check --deploy suggests.
SILENCED_SYSTEM_CHECKS = ["security.W019"]

# --- Shared cache and queue: Redis ---------------------------------------------------------
REDIS_URL = required("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "xueji"),  # noqa: F405
        "TIMEOUT": 300,
    }
}
# Sessions are written to the database (a Redis restart logs nobody out) and read through the
# shared cache (no query per request).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Background work goes to RQ on Redis, run by `manage.py rqworker` processes on any machine.
INSTALLED_APPS = [*INSTALLED_APPS, "django_rq", "django_tasks_rq"]  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
# RQ's worker, whose maintenance also resumes print jobs that lost their worker.
RQ = {"WORKER_CLASS": "cases.worker.RegistryWorker"}

# --- Static files: WhiteNoise serves collectstatic's hashed, compressed files ------------------
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Logging: one JSON object per line on stderr (server errors, slow requests, workers) ------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "cms.logging.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stderr"], "level": os.environ.get("LOG_LEVEL", "INFO")},  # noqa: F405
    "loggers": {
        # 5xx responses with their traceback; 4xx stay at WARNING.
        "django.request": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "django.server": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "rq.worker": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}

# The schema is published in schema.graphql; production answers no introspection by default.
XUEJI_GRAPHQL_INTROSPECTION = env_bool("XUEJI_GRAPHQL_INTROSPECTION", False)  # noqa: F405
# Persistent database connections: opening a PostgreSQL connection per request costs more than
# a small GraphQL lookup (bench/graphql_lookup.py); health checks replace one the server closed.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "60"))  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
