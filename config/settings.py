"""Settings for QM Cohort.

One file for every deployment. Each difference between deployments is an environment variable,
documented in the README, with a default that suits the embedded set-up (SQLite, in-memory channel
layer, files under var/).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
TESTING = bool(os.environ.get("PYTEST_VERSION"))

# The development key lives in var/secret_key, written once by `manage.py make_secret_key` (`make`
# runs it); settings only read it. Without it, development and the test suite get a key of their own
# for this process only (sessions do not outlive it).
SECRET_KEY_FILE = VAR_DIR / "secret_key"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if SECRET_KEY_FILE.exists():
        SECRET_KEY = SECRET_KEY_FILE.read_text().strip()
    elif DEBUG or TESTING:
        SECRET_KEY = get_random_secret_key()
    else:
        raise ImproperlyConfigured("Set SECRET_KEY (or run with DEBUG=1 to create a development key).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_htmx",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.saml",
    "allauth.socialaccount.providers.openid_connect",
    "config",
    "cohort",
    "meetings",
    "discussions",
    "media_feedback",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
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
    "cohort.middleware.UserTimezoneMiddleware",
    "cohort.middleware.PersonLanguageMiddleware",
    "cohort.middleware.SignedInMiddleware",
    "cohort.sso.middleware.SAMLErrorMiddleware",  # last: asked first about a SAML view's exception
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.csp",
                "cohort.context_processors.header",
            ],
            "builtins": [
                "django_htmx.templatetags.django_htmx",
                "cohort.templatetags.cohort_tags",
                "config.templatetags.qm",
            ],
        },
    }
]

# Database: SQLite under var/ unless DATABASE_URL names another (PostgreSQL in production and CI).
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# SQLite with the web process and the task worker writing at once: a write transaction takes the lock
# when it begins (IMMEDIATE) and waits up to 20 s for it, instead of failing with "database is locked"
# halfway through; WAL lets pages read while the worker writes.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # sqlite:////path/to/file
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    # Daphne runs each request's sync code in a thread of its own, so a persistent connection per
    # thread is never reused and piles up until PostgreSQL refuses new clients (500s under load). A
    # pool per process bounds the connections and reuses them; requests beyond its size wait.
    DATABASE_POOL_SIZE = int(os.environ.get("DATABASE_POOL_SIZE", "0" if TESTING else "10"))
    if DATABASE_POOL_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": DATABASE_POOL_SIZE,
            "timeout": 20,
        }
    # Server-side parameters: psycopg sends values apart from the SQL instead of quoting them into
    # it in Python, and prepares a statement once it has run five times on a connection (the pool
    # keeps them). Measured on the post path: 3 ms less CPU in the web process per post (of 26), and
    # less planning in PostgreSQL. Turn off (0) behind a pooler that cannot hold prepared statements.
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and os.environ.get(
        "DATABASE_SERVER_SIDE_BINDING", "1"
    ) not in ("0", "false", "no"):
        DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "db.sqlite3"),
            "OPTIONS": dict(SQLITE_OPTIONS),
            # A file, not memory: browser tests run the site in a second process (Daphne).
            "TEST": {"NAME": str(VAR_DIR / "test-db.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: channel layer and cache when REDIS_URL is set; in-memory otherwise (one process only).
REDIS_URL = os.environ.get("REDIS_URL", "")
# When the test suite runs in parallel (pytest-xdist), each worker gets its own channel prefix and its
# own Redis database for the cache, so one worker's cache.clear() never empties another's.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "") if TESTING else ""
_CACHE_URL = REDIS_URL
if REDIS_URL and _XDIST_WORKER:
    _CACHE_URL = urlunsplit(urlsplit(REDIS_URL)._replace(path=f"/{1 + int(_XDIST_WORKER.removeprefix('gw'))}"))
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": os.environ.get("CHANNEL_PREFIX", "qm") + _XDIST_WORKER},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_PREFIX", "qm") + _XDIST_WORKER,
            # One pool per process, not one per request (see config/cache.py).
            "OPTIONS": {"pool_class": "config.cache.SharedConnectionPool"},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work: durable tasks in the database, run by `manage.py db_worker`. The test suite runs
# tasks at once, in the process, unless a test asks for the database backend.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            "django.tasks.backends.immediate.ImmediateBackend" if TESTING else "django_tasks_db.DatabaseBackend",
        ),
    }
}

AUTH_USER_MODEL = "cohort.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
if TESTING:
    # Fast hashing in the test suite only: real deployments keep Django's default PBKDF2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# An institution's identity provider may be on this machine or a private network (and use http) only in
# development and tests: elsewhere its address must be public https (cohort.sso.services.check_url).
SSO_ALLOW_LOCAL_PROVIDERS = env_bool("SSO_ALLOW_LOCAL_PROVIDERS", DEBUG)
# The invitation page hands over to this (a dotted path) before offering a password: single sign-on's
# "SSO only" institutions accept invitations through their own sign-in.
INVITATION_SIGN_IN = "cohort.sso.login.invitation_sign_in"

# django-allauth: e-mail log-in, accounts only through invitations, TOTP for staff roles.
ACCOUNT_ADAPTER = "cohort.sso.adapters.AccountAdapter"  # cohort.adapters' with "SSO only" domains refused
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[QM Cohort] "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Five failures for one account from one address lock that address out of that account for 15 minutes
    # (the key is the account and the address: cohort.adapters, which also locks an account attacked from
    # many addresses and e-mails its owner an unlock link).
    # Per address, failures across all accounts: high enough that a class's typos behind one campus
    # address do not lock everyone there out, low enough to slow password spraying.
    "login_failed": "30/m/ip,5/15m/key",
    "reset_password": "20/m/ip,3/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
# Sessions of facilitators, assessors and the admin's staff end after this long without a page request
# (cohort.authn); everyone's session lasts SESSION_COOKIE_AGE (Django's default, two weeks) at most.
STAFF_IDLE_TIMEOUT_SECONDS = 60 * int(os.environ.get("STAFF_IDLE_TIMEOUT_MINUTES", "30"))
# A form sent with a stale security token: the product's page, which leads back to what was typed.
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
ACCOUNT_FORMS = {"login": "cohort.sso.login.LoginForm", "reset_password": "cohort.sso.login.ResetPasswordForm"}
# Sign-in through an institution's identity provider (cohort.sso): SAML 2.0 and OpenID Connect apps are
# rows that cohort.sso keeps in step; an invitation or an existing account decides who gets in.
SOCIALACCOUNT_ADAPTER = "cohort.sso.adapters.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"  # the adapter admits only e-mail the provider asserts as verified
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_PROVIDERS = {"saml": {"provider_class": "cohort.sso.providers.SAMLProvider"}}
# Websockets (cohort.sockets): sockets one session may hold open at once, messages one socket may send a minute.
WEBSOCKET_SOCKETS_PER_SESSION = int(os.environ.get("WEBSOCKET_SOCKETS_PER_SESSION", "20"))
WEBSOCKET_MESSAGES_PER_MINUTE = int(os.environ.get("WEBSOCKET_MESSAGES_PER_MINUTE", "30"))
MFA_TOTP_ISSUER = "QM Cohort"

# E-mail: printed to the console unless an SMTP host is given.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST,
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
            },
        }
    }
else:
    MAILERS = {
        "default": {"BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}
    }
del EMAIL_HOST
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "QM Cohort <no-reply@qm-cohort.invalid>")
# Where the accessibility statement tells people to report a problem (besides their facilitator).
ACCESSIBILITY_CONTACT = os.environ.get("ACCESSIBILITY_CONTACT", "")

# Every page, e-mail and document in English and in Welsh (cohort.i18n): the toggle on every page sets a
# visitor's choice (a cookie) and a signed-in person's preference (User.language), which is also the
# language of everything sent to them.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
# The product's own messages, then the Welsh of the libraries whose pages people see (django-allauth's
# log-in, two-factor and password pages ship no Welsh of their own).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "libraries"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Browser libraries come from npm (`make` runs `npm install`); only their built files are served.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS: list = [BASE_DIR / "static"]
for _package, _subdir in (("tus-js-client", "dist"), ("axe-core", "")):
    if (NODE_MODULES / _package).exists():
        STATICFILES_DIRS.append((f"vendor/{_package}", NODE_MODULES / _package / _subdir))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# No MEDIA_URL is served: every stored file goes through a permission-checked view or a signed URL.

# Storage: the filesystem under var/ unless an S3-compatible bucket is named.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    _private_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
else:
    _private_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    }
STORAGES = {
    "default": _private_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG and not TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Transcription: a CTranslate2 Whisper model directory; by default the tiny.en model shipped on PyPI.
TRANSCRIPTION_MODEL = os.environ.get("TRANSCRIPTION_MODEL", "")
# Student clips: the largest file any call may accept, and the largest tus chunk (one request body,
# which Daphne holds in memory whole).
CLIP_UPLOAD_MAX_BYTES = int(os.environ.get("CLIP_UPLOAD_MAX_BYTES", str(2 * 1024**3)))
CLIP_UPLOAD_CHUNK_BYTES = int(os.environ.get("CLIP_UPLOAD_CHUNK_BYTES", str(5 * 1024**2)))
# Under ASGI Django spools each request body; past this size it rolls to disk and then writes every
# 8 KB piece Daphne hands over through a thread hop, which makes a 4 MB chunk ~10× slower. Daphne
# already holds the whole body in memory, so keeping one chunk's spool in memory costs little.
FILE_UPLOAD_MAX_MEMORY_SIZE = max(2_621_440, CLIP_UPLOAD_CHUNK_BYTES + 1024**2)
# The largest request body outside tus chunks and evidence uploads (config/body_limit.py): forms are text.
REQUEST_BODY_MAX_BYTES = int(os.environ.get("REQUEST_BODY_MAX_BYTES", str(1024**2)))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front append to X-Forwarded-For: rate limits, log-in locks and the audit log
# take the client's address from there (behind one proxy every request comes from the proxy's own).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1" if env_bool("BEHIND_TLS_PROXY") else "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Production defaults are strict; development (DEBUG) and the test suite serve plain HTTP.
_plain_http = DEBUG or TESTING
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not _plain_http)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if _plain_http else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not _plain_http)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not _plain_http)

# Content Security Policy: scripts only from this site (or with the request's nonce), no eval, no
# inline styles, never framed. Media may also come from the object store's signed URLs.
_object_store = [os.environ["AWS_S3_ENDPOINT_URL"]] if os.environ.get("AWS_S3_ENDPOINT_URL") else []
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:", *_object_store],
    "media-src": [CSP.SELF, "blob:", *_object_store],
    "connect-src": [CSP.SELF, *_object_store],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
PERMISSIONS_POLICY = "camera=(self), microphone=(self), geolocation=(), payment=()"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Request and access logs (Daphne's through config/serve.py, Django's, granian's when switched on)
# keep each URL's route but never a token or a query value: config/log_filters.py.
_REQUEST_LOGS = ["daphne.access", "django.request", "django.server", "django.channels.server", "granian.access"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_secrets": {"()": "config.log_filters.MaskSecrets"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        **{name: {"filters": ["mask_secrets"], "propagate": True} for name in _REQUEST_LOGS},
    },
}
