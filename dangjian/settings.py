"""Settings, read from the environment through typed helpers (see core/env.py).

Local runs need nothing: `dangjian demo` writes the secret key and the ID-number key into var/.
Production sets DANGJIAN_SECRET_KEY, DATABASE_URL, DANGJIAN_KEY_FILE and DANGJIAN_PRODUCTION=1.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from dangjian.core.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("DANGJIAN_VAR_DIR", str(BASE_DIR / "var")))

PRODUCTION = envbool("DANGJIAN_PRODUCTION", False)
DEBUG = envbool("DANGJIAN_DEBUG", False)


def _secret_key() -> str:
    key = envstr("DANGJIAN_SECRET_KEY", "")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    if PRODUCTION:
        raise RuntimeError("DANGJIAN_SECRET_KEY is not set")
    # Not production and no key yet (first run before `dangjian demo`): a throwaway key per process.
    import secrets

    return secrets.token_urlsafe(50)


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("DANGJIAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("DANGJIAN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",
    "dangjian.core",
    "dangjian.orgs",
    "dangjian.people",
    "dangjian.development",
    "dangjian.ledgers",
    "dangjian.stats",
    "dangjian.reviews",
    "dangjian.archives",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dangjian.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dangjian.core.middleware.SessionTimeoutMiddleware",
    "dangjian.core.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dangjian.core.middleware.NoStoreMiddleware",
    # AxesMiddleware last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "dangjian" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dangjian.core.context_processors.site",
            ],
        },
    },
]

# --- Database: DATABASE_URL, default SQLite (WAL) under var/ --------------------------------------
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'dangjian.sqlite3'}"
if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": dj_database_url.parse(envstr("DATABASE_URL", DEFAULT_SQLITE), conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at BEGIN so two
        # writers queue instead of failing half-way (and the audit hash chain stays linear). Pages read through
        # a memory map of up to 1 GiB, not copied into SQLite's cache: the province's past-date statistics read
        # hundreds of thousands of rows, 13% faster so (docs/performance.md).
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                        "PRAGMA mmap_size=1073741824;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a database file, not Django's shared in-memory database: the browser tests' live server then
    # answers on its own connections, and the test thread's queries can never interleave with a request's
    # savepoints on one shared connection ("no such savepoint", a 500 seen in CI). One file per test process
    # (removed when the run ends), so two test runs side by side never share one.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    test_db = VAR_DIR / f"test-{os.getpid()}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": envstr("DANGJIAN_TEST_SQLITE", str(test_db))}
else:
    DATABASES["default"]["TEST"] = {"NAME": envstr("DANGJIAN_TEST_DB_NAME", "test_dangjian")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"

# --- Authentication and sessions (SECURITY.md A1–A3) ----------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

PASSWORD_MIN_LENGTH = envint("DANGJIAN_PASSWORD_MIN_LENGTH", 8)
PASSWORD_MIN_CLASSES = envint("DANGJIAN_PASSWORD_MIN_CLASSES", 3)
PASSWORD_HISTORY = envint("DANGJIAN_PASSWORD_HISTORY", 5)
PASSWORD_MAX_AGE_DAYS = envint("DANGJIAN_PASSWORD_MAX_AGE_DAYS", 90)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "dangjian.core.passwords.MinimumLengthValidator"},
    {"NAME": "dangjian.core.passwords.CharacterClassValidator"},
    {"NAME": "dangjian.core.passwords.NotContainingUsernameValidator"},
    {"NAME": "dangjian.core.passwords.HistoryValidator"},
]
PASSWORD_HASHERS = envlist(
    "DANGJIAN_PASSWORD_HASHERS",
    ["django.contrib.auth.hashers.PBKDF2PasswordHasher"],
)

SESSION_IDLE_SECONDS = envint("DANGJIAN_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_ABSOLUTE_SECONDS = envint("DANGJIAN_SESSION_ABSOLUTE_SECONDS", 8 * 3600)
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AXES_FAILURE_LIMIT = envint("DANGJIAN_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = envint("DANGJIAN_LOCKOUT_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
# SECURITY.md A2 locks the *account*. Locking by IP as well would lock a whole township behind one NAT
# (or everyone behind nginx) after five typos, so axes' advice W006 is silenced on purpose.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# django-axes counts failures while each comes less than the cool-off after the previous one (stricter
# than "5 within 15 minutes"); the lock lasts the cool-off after the last failure. See docs/deployment.md.

# --- Production hardening (SECURITY.md A5) ---------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("DANGJIAN_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("DANGJIAN_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- I18N -------------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
USE_THOUSAND_SEPARATOR = False

# --- Static files: installed from npm at set-up (node_modules), served by WhiteNoise -----------------
STATIC_URL = "/static/"
# Production collects into var/static (collectstatic); elsewhere WhiteNoise serves straight from the finders.
STATIC_ROOT = VAR_DIR / "static" if PRODUCTION else None
_NODE = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "dangjian" / "static",
    ("vendor/bootstrap", _NODE / "bootstrap" / "dist"),
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
    ("vendor/echarts", _NODE / "echarts" / "dist"),
]
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = False

# --- dangjian ----------------------------------------------------------------------------------------
DANGJIAN_KEY_FILE = Path(envstr("DANGJIAN_KEY_FILE", str(VAR_DIR / "keys" / "idnumber.key")))
DANGJIAN_PAGE_SIZE = envint("DANGJIAN_PAGE_SIZE", 50)

# Ledgers (docs/ledgers.md): uploads and produced workbooks live under var/ledgers/ (outside the web root) and are
# deleted after use; jobs run in a separate process (`dangjian ledger run-job ID`) unless told otherwise.
LEDGER_DIR = Path(envstr("DANGJIAN_LEDGER_DIR", str(VAR_DIR / "ledgers")))
LEDGER_MAX_ROWS = envint("DANGJIAN_LEDGER_MAX_ROWS", 200_000)
LEDGER_MAX_UPLOAD_MB = envint("DANGJIAN_LEDGER_MAX_UPLOAD_MB", 100)
LEDGER_MAX_UNCOMPRESSED = envint("DANGJIAN_LEDGER_MAX_UNCOMPRESSED_MB", 1024) * 1024 * 1024
LEDGER_FILE_HOURS = envint("DANGJIAN_LEDGER_FILE_HOURS", 24)  # unfinished uploads and results older are deleted
LEDGER_JOB_RUNNER = envstr("DANGJIAN_LEDGER_JOB_RUNNER", "subprocess")  # subprocess | thread | inline
LEDGER_JOB_STALE_SECONDS = envint("DANGJIAN_LEDGER_JOB_STALE_SECONDS", 120)

# Archives (docs/archives.md): scanned materials under var/archives/ (outside the web root), named by a random id,
# served only through the scoped download view.
ARCHIVE_DIR = Path(envstr("DANGJIAN_ARCHIVE_DIR", str(VAR_DIR / "archives")))
ARCHIVE_MAX_UPLOAD_MB = envint("DANGJIAN_ARCHIVE_MAX_UPLOAD_MB", 20)
ARCHIVE_SAMPLE_PER_TOWNSHIP = envint("DANGJIAN_ARCHIVE_SAMPLE_PER_TOWNSHIP", 20)  # L-AUDIT-20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("DANGJIAN_LOG_LEVEL", "WARNING")},
}
CSRF_FAILURE_VIEW = "dangjian.core.views.csrf_failure"
