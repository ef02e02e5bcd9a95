"""The one settings module. Everything that differs between machines comes from the environment.

Defaults are safe: DEBUG is off, the security middleware is strict, and a secret key is generated
once per installation (kept in the data folder) when SECRET_KEY is not given.
"""

import importlib.util
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from qms.web.sso_config import sso_config


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def installation_secret_key(data_dir: Path) -> str:
    """A random key made on first start and kept, so sessions survive restarts."""
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DATA_DIR = Path(os.environ.get("QMS_DATA_DIR", Path.cwd() / "data")).resolve()
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or installation_secret_key(DATA_DIR)
# The feedback classifier's trained model (qms.learning.classifier), trained on first use.
QMS_MODEL_DIR = Path(os.environ.get("QMS_MODEL_DIR", DATA_DIR / "models")).resolve()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # First, so the product's templates (log in, password reset, errors) win over the admin's.
    "qms.web",
    "qms.web.admin_site.QmsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "qms.people",
    "ninja",
    "qms.core",
    "qms.notifications",
    "qms.escalation",
    "qms.comments",
    "qms.issues",
    "qms.control",
    "qms.improvement",
    "qms.planning",
    "qms.learning",
    "qms.culture",
    "qms.codesign",
    "qms.capability",
    "qms.demo",
    "qms.onboarding",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here, before the headers below: they keep their long caching.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "qms.web.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qms.web.middleware.SessionIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view reads the body: a request beyond the limits below gets a clear 413.
    "qms.web.request_size.RequestSizeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during authentication into a page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qms.config.urls"
WSGI_APPLICATION = "qms.config.wsgi.application"

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
                "qms.web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'qms.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while one writer commits; IMMEDIATE avoids "database is locked"
    # when two requests upgrade a read transaction to a write at the same time.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.Person"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Single sign-on with OpenID Connect (qms.web.sso; README, "Single sign-on"): off unless set.
# Either an Entra ID tenant, whose endpoints are derived, or the provider's endpoints one by one.
QMS_SSO = sso_config(
    client_id=os.environ.get("QMS_OIDC_CLIENT_ID"),
    client_secret=os.environ.get("QMS_OIDC_CLIENT_SECRET"),
    entra_tenant=os.environ.get("QMS_OIDC_ENTRA_TENANT"),
    endpoints={
        "AUTHORIZATION_ENDPOINT": os.environ.get("QMS_OIDC_AUTHORIZATION_ENDPOINT"),
        "TOKEN_ENDPOINT": os.environ.get("QMS_OIDC_TOKEN_ENDPOINT"),
        "USERINFO_ENDPOINT": os.environ.get("QMS_OIDC_USERINFO_ENDPOINT"),
        "JWKS_ENDPOINT": os.environ.get("QMS_OIDC_JWKS_ENDPOINT"),
        "ISSUER": os.environ.get("QMS_OIDC_ISSUER"),
        "END_SESSION_ENDPOINT": os.environ.get("QMS_OIDC_END_SESSION_ENDPOINT"),
    },
    label=os.environ.get("QMS_OIDC_LABEL"),  # default "Sign in with NHSmail"
    create_accounts=os.environ.get("QMS_OIDC_CREATE_ACCOUNTS"),  # default on
    allowed_domains=os.environ.get("QMS_OIDC_ALLOWED_DOMAINS"),  # default any
)
if QMS_SSO is not None:
    AUTHENTICATION_BACKENDS.append("qms.web.sso.SsoBackend")
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures for one user name locks it for 15 minutes, whether they came
# from one address or were spread over many (a guesser with many addresses still gets five
# guesses per account per quarter hour). A password reset lifts the lock.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
# The client's address, for the lockout records: REMOTE_ADDR, or behind the proxies listed in
# QMS_TRUSTED_PROXIES (addresses or networks) the address they saw (see qms.web.client_ip).
AXES_CLIENT_IP_CALLABLE = "qms.web.client_ip.client_ip"
QMS_TRUSTED_PROXIES = env_list("QMS_TRUSTED_PROXIES", "")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Request sizes. A form or API body may be 8 MB (10,000 observations with notes); an uploaded
# file 20 MB (about 100,000 rows; more is for `qms import-observations`). Uploaded files larger
# than FILE_UPLOAD_MAX_MEMORY_SIZE wait on disk rather than in memory. Beyond these limits
# qms.web.request_size.RequestSizeMiddleware answers 413 with the limit, never a server error.
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, said here with its neighbours
QMS_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Files attached to records (qms.comments): 10 MB unless set; the attachment form alone takes
# files this large, whatever QMS_MAX_UPLOAD_BYTES says.
QMS_ATTACHMENT_MAX_BYTES = int(os.environ.get("QMS_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
# Partners' time is paid at this rate in pounds an hour (NHS England's "Reward and recognition
# for people with lived experience" leaves the rate to each organisation); kept on each claim.
QMS_PARTNER_HOURLY_RATE = os.environ.get("QMS_PARTNER_HOURLY_RATE", "25.00")

# API keys (qms.web.api): calls a minute per key before 429 with Retry-After. Counted in the
# cache: per server process with the local-memory cache, across all of them with Redis.
QMS_API_REQUESTS_PER_MINUTE = int(os.environ.get("QMS_API_REQUESTS_PER_MINUTE", "600"))

# Reasons for changes to governance records can be a sentence or two, not 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# The admin's "revert to this version" saves an old row directly, past the services' checks
# (a measure's definition against its data, admin access following the role): history is read
# there, and changes are made again through the normal forms.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Sessions and cookies. Ward computers are shared: a session left idle this long ends
# (qms.web.middleware.SessionIdleTimeoutMiddleware keeps an active one alive).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * int(os.environ.get("QMS_SESSION_IDLE_MINUTES", "30"))
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading puts the domain in browsers' built-in HTTPS-only lists, hard to undo and
# covering every subdomain: a decision for whoever runs the domain, so off unless asked for.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]  # "not preloaded": deliberate, see above
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from QMS itself, no inline scripts and no
# eval. The chart's vega-embed bundle is served by QMS; qms/chart.js asks Vega for its
# expression interpreter (`ast: true`), so Vega needs no `new Function` and no 'unsafe-eval'.
# The chart's data sits in <script type="application/json">, which is data, not script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # Inline styles, which cannot run code: vega-embed adds its own <style> for the chart
        # menu, Vega's SVG sets style attributes, and the variation icons carry their colours.
        "style-src": [SELF, UNSAFE_INLINE],
        # Charts exported as PNG or SVG are drawn through data: and blob: images.
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# E-mail: the console back end prints messages (password reset, alerts) until a server is set.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "QMS <qms@localhost>")
# The address people use to reach QMS, for links in e-mails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work (SPC refresh, alert e-mails). "immediate" runs a task at once in the request
# (the demo and tests); "database" queues it for `qms db_worker` processes on any machine.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[TASKS_BACKEND],
    }
}

# A task still marked running after this many seconds was left by a worker that died;
# `qms run-worker` puts it back in the queue when it starts.
TASK_ABANDONED_AFTER = int(os.environ.get("QMS_TASK_ABANDONED_AFTER", "900"))

# `qms run-periodic` (the periodic jobs): the daily commands at this local time (HH:MM), and
# the check for stale SPC results every this many minutes.
QMS_PERIODIC_DAILY_AT = os.environ.get("QMS_PERIODIC_DAILY_AT", "06:00")
QMS_PERIODIC_STALE_MINUTES = int(os.environ.get("QMS_PERIODIC_STALE_MINUTES", "5"))

# Cache for built page parts (charts, report matrices), keyed on the results' version so a
# page never shows stale results. Local memory by default (each server process its own);
# QMS_CACHE_URL=redis://127.0.0.1:6379/0 shares one between processes (needs `redis`).
QMS_CACHE_URL = os.environ.get("QMS_CACHE_URL", "")
if QMS_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": QMS_CACHE_URL,
            "KEY_PREFIX": "qms",
            "TIMEOUT": 3600,
        }
    }
    # Sessions read from the shared cache (written through to the database). Not with the
    # per-process cache: a session ended in one process would live on in another's memory.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif QMS_CACHE_URL in ("", "locmem"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
            "TIMEOUT": 3600,
        }
    }
else:
    raise ImproperlyConfigured(
        f"QMS_CACHE_URL must be empty, 'locmem' or a redis:// URL, not {QMS_CACHE_URL!r}"
    )

# Similar work (qms.learning.selectors.similar): each process reads the records' version at most
# this often, so a change shows in suggestions up to this many seconds late, and rebuilds its
# index in a thread while the old one keeps answering.
QMS_SIMILAR_CHECK_SECONDS = 2.0
QMS_SIMILAR_REBUILD_IN_THREAD = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
# Files the product makes (report PDFs), through Django's default storage; never served as
# static files: downloads go through a view that checks who is asking.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Several machines: the files in an S3-compatible object store instead (django-storages,
# `pip install qms[s3]`), named by QMS_S3_BUCKET. The bucket stays private: every download goes
# through a view that checks who asks and streams the file, so no object is ever linked to.
QMS_S3_BUCKET = os.environ.get("QMS_S3_BUCKET", "")
if QMS_S3_BUCKET:
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured("QMS_S3_BUCKET needs django-storages: pip install 'qms[s3]'")
    QMS_S3_ENDPOINT_URL = os.environ.get("QMS_S3_ENDPOINT_URL", "")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": QMS_S3_BUCKET,
            # Empty: AWS itself (and its credentials chain: instance role, ~/.aws).
            "endpoint_url": QMS_S3_ENDPOINT_URL or None,
            "region_name": os.environ.get("QMS_S3_REGION") or None,
            "access_key": os.environ.get("QMS_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("QMS_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("QMS_S3_PREFIX", "").strip("/"),
            # Other stores (MinIO, Ceph...) are addressed by path, not by a bucket subdomain.
            "addressing_style": "path" if QMS_S3_ENDPOINT_URL else None,
            # As on the file system: a name already taken gets a suffix, never overwritten.
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }

# Where `qms backup` writes its snapshots unless given --output (qms.core.backup).
QMS_BACKUP_DIR = Path(os.environ.get("QMS_BACKUP_DIR", DATA_DIR / "backups"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # One line per task start and finish drowns everything else.
    # fpdf2 subsets fonts with fontTools, which logs every table at INFO.
    "loggers": {"django_tasks": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
