"""Settings for videovisit: one module, every difference comes from the environment.

With nothing set it runs as a self-contained demo: SQLite, the in-memory channel
layer and Celery tasks run eagerly in the web process. DATABASE_URL and REDIS_URL
switch it to PostgreSQL and Redis (channel layer and Celery broker).
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    # Only ever used by a local demo or test run with DEBUG on.
    SECRET_KEY = "django-insecure-local-demo-key-not-for-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "template_partials",
    "accounts",
    "patients",
    "bookings",
    "visits",
    "guests",
    "integrations",
    "audit",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "videovisit.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    # Last, as django-axes asks: it turns a lockout into the login page's answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "videovisit.urls"
ASGI_APPLICATION = "videovisit.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "videovisit.context_processors.debug_inbox",
                "videovisit.context_processors.idle_timeout",
                "videovisit.context_processors.service_alerts",
            ],
        },
    },
]

# Database: SQLite next to the code unless DATABASE_URL names another.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "visits:start"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions live in the database, so staff stay signed in when Redis restarts.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Redis carries the channel layer and the Celery broker. Without it the demo
# keeps both inside the one process.
REDIS_URL = env("REDIS_URL")

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # Pub/sub: a message is one PUBLISH, pushed to the process that holds the
            # channel. The list-based RedisChannelLayer takes four round trips to send
            # and four more to receive, and a process receives one message at a time,
            # so a meeting set-up's burst of signals queued up (bench/room.py). A
            # message to a socket that is gone is dropped, as the room expects. Our
            # subclass sends a process's PUBLISHes in batches, not one round trip each.
            "BACKEND": "videovisit.channel_layer.BatchingPubSubChannelLayer",
            "CONFIG": {
                # redis-py 8 closes idle connections after 5 s by default, which
                # drops idle WebSockets; the subscription must wait forever.
                "hosts": [{"address": REDIS_URL, "socket_timeout": None}],
                # Redis pub/sub channels ignore the database number: installations
                # (or test runs) that share one Redis keep apart by prefix.
                "prefix": env("CHANNEL_LAYER_PREFIX", "asgi"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The cache is shared across processes (e-ID orders of the simulator, rate limits)
# whenever Redis is there.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL, "KEY_PREFIX": "videovisit"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Stockholm"
CELERY_BEAT_SCHEDULE: dict = {
    # Outbox retries and rows not enqueued at commit are due in the database (DESIGN N1).
    "outbox-sweep": {
        "task": "integrations.tasks.sweep_outbox",
        "schedule": 30.0,
        # A sweep left queued while no worker ran is stale; the next one will do.
        "options": {"expires": 25},
    },
}

# Internationalisation: the interface speaks Swedish; English is selectable.
LANGUAGE_CODE = "sv"
# Each language is named in itself, so a reader finds their own.
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic puts the files a server without DEBUG serves.
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Files browsers ask for at the site's root (/favicon.ico), served as they are.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"

# Where people outside open their links from (SMS and e-mail carry absolute URLs).
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
# The key a personal link's token is derived with from its row's nonce (G5): the
# database alone holds no working link. The outbox and "Visa länk" derive a link again
# and need the key it was made with; its own setting, so that the SECRET_KEY can be
# rotated without that. By default the SECRET_KEY, as links were made before.
LINK_SECRET = env("LINK_SECRET") or SECRET_KEY
# A personal link stops working this long after the visit's booked end (G5).
INVITATION_GRACE = datetime.timedelta(minutes=int(env("INVITATION_GRACE_MINUTES", "120")))
# Link openings allowed per client address (django-ratelimit's "count/period"),
# counted in the cache: Redis when REDIS_URL is set, else this process's memory.
INVITATION_REDEEM_RATE = env("INVITATION_REDEEM_RATE", "30/10m")
# How the outbox turns a message's link reference into the link as it sends.
OUTBOX_LINK_RESOLVER = "guests.services.link_for_outbox"

# Outside services, each behind a small backend interface (DESIGN N2).
REGISTRY_BACKEND = env("REGISTRY_BACKEND", "integrations.registry.fixture.FixtureRegistry")
REGISTRY_URL = env("REGISTRY_URL")
REGISTRY_TOKEN = env("REGISTRY_TOKEN")
REGISTRY_TIMEOUT = float(env("REGISTRY_TIMEOUT", "5"))
REGISTRY_RETRIES = int(env("REGISTRY_RETRIES", "2"))
REGISTRY_RETRY_DELAY = float(env("REGISTRY_RETRY_DELAY", "0.3"))

# Hardening for production (DESIGN S3); off while DEBUG serves plain http.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Addresses (CIDR) of our own proxies: only from them is X-Forwarded-For believed,
# and then only the entry they appended, which a client cannot forge.
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES", [])
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Every record goes through the root logger's one handler, whose filter redacts
# personal links' tokens (G5). Django's own handlers for "django" (its console one
# with DEBUG on) and "django.server" (runserver's access log) are dropped: they
# would print a link's path, token and all. Celery's worker and beat add the same
# filter to the handlers they make (videovisit/celery.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_links": {"()": "videovisit.logging.RedactLinkTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["redact_links"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}

# e-ID (DESIGN N2, G4)
# The patient and the agent identify with e-ID before they join a video visit.
# Without DEBUG the default is BankID, so production never falls back to the
# simulator; choosing the simulator there fails the system checks (integrations.E001).
EID_BACKEND = env(
    "EID_BACKEND",
    "integrations.eid.simulator.SimulatorEid" if DEBUG else "integrations.eid.bankid.BankIdEid",
)
# BankID RP API v6: our RP certificate and key (PEM), BankID's test environment or
# production, and for a proxy or another environment its base URL and the CA that
# issued its certificate (pybankid's bundled BankID CA when empty).
BANKID_CERT_PATH = env("BANKID_CERT_PATH")
BANKID_KEY_PATH = env("BANKID_KEY_PATH")
BANKID_CA_PATH = env("BANKID_CA_PATH")
BANKID_TEST_SERVER = env_bool("BANKID_TEST_SERVER", False)
BANKID_API_URL = env("BANKID_API_URL")
BANKID_TIMEOUT = float(env("BANKID_TIMEOUT", "5"))
# The simulator: orders wait for a dev page to complete them, unless a personnummer is
# set here; then they complete for that person after this many pending collects.
EID_SIMULATOR_PERSONNUMMER = env("EID_SIMULATOR_PERSONNUMMER")
EID_SIMULATOR_COLLECTS = int(env("EID_SIMULATOR_COLLECTS", "2"))


# Messages: outbox and backends (DESIGN N1, N2)
# With nothing set, SMS and 1177 messages go to the development inbox (the
# Inkorg page, DESIGN N3) and e-mail is printed and kept there too.
SMS_BACKEND = env("SMS_BACKEND", "integrations.sms.database.DatabaseSmsBackend")
PORTAL_BACKEND = env("PORTAL_BACKEND", "integrations.portal.database.DatabasePortalBackend")
EMAIL_BACKEND = env("EMAIL_BACKEND", "integrations.email.backends.DevInboxEmailBackend")

# 46elks (integrations.sms.elks.ElksSmsBackend). The sender is shown on the
# phone: at most 11 letters and digits, and never a revealing unit name (G6).
ELKS_API_URL = env("ELKS_API_URL", "https://api.46elks.com")
ELKS_API_USERNAME = env("ELKS_API_USERNAME")
ELKS_API_PASSWORD = env("ELKS_API_PASSWORD")
ELKS_SENDER = env("ELKS_SENDER", "Videobesok")
ELKS_TIMEOUT = float(env("ELKS_TIMEOUT", "10"))
if SMS_BACKEND == "integrations.sms.elks.ElksSmsBackend" and not (
    ELKS_API_USERNAME and ELKS_API_PASSWORD
):
    raise ImproperlyConfigured("ELKS_API_USERNAME and ELKS_API_PASSWORD must be set for 46elks.")

# The 1177 inbox over HTTP (integrations.portal.http.HttpPortalBackend).
PORTAL_API_URL = env("PORTAL_API_URL")
PORTAL_API_TOKEN = env("PORTAL_API_TOKEN")
PORTAL_TIMEOUT = float(env("PORTAL_TIMEOUT", "10"))
if PORTAL_BACKEND == "integrations.portal.http.HttpPortalBackend" and not (
    PORTAL_API_URL and PORTAL_API_TOKEN
):
    raise ImproperlyConfigured("PORTAL_API_URL and PORTAL_API_TOKEN must be set for the 1177 API.")

# E-mail through SMTP when EMAIL_BACKEND is django.core.mail.backends.smtp.EmailBackend.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "videobesok@localhost")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = float(env("EMAIL_TIMEOUT", "10"))

# Retries: the delay doubles from the base (plus up to half again at random)
# up to the cap; after the last attempt the message is failed and shown to
# staff. The defaults give up after 15 to 25 minutes.
OUTBOX_MAX_ATTEMPTS = int(env("OUTBOX_MAX_ATTEMPTS", "6"))
OUTBOX_RETRY_BASE_SECONDS = float(env("OUTBOX_RETRY_BASE_SECONDS", "30"))
OUTBOX_RETRY_MAX_SECONDS = float(env("OUTBOX_RETRY_MAX_SECONDS", "3600"))
# How long a sender owns a message before the sweep may give it to another;
# well above the backends' timeouts.
OUTBOX_SENDING_LEASE_SECONDS = float(env("OUTBOX_SENDING_LEASE_SECONDS", "300"))
OUTBOX_SWEEP_BATCH = int(env("OUTBOX_SWEEP_BATCH", "200"))


# Bookings (DESIGN B6, B8)
# On PostgreSQL, exclusion constraints refuse overlapping bookings and visits. On
# the SQLite demo database every transaction takes the write lock when it begins,
# so two bookings of one slot take turns and the later one sees the earlier.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20})
else:
    # Parameters bound by the server, and a statement run this many times on a
    # connection prepared there: PostgreSQL then skips parsing and planning it. A
    # booking's INSERT took a quarter less time. Empty turns preparing off (a
    # connection pooler in transaction mode older than PgBouncer 1.21 needs that).
    prepare_threshold = env("DATABASE_PREPARE_THRESHOLD", "5")
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True,
         "prepare_threshold": int(prepare_threshold) if prepare_threshold else None})
    # daphne runs each request's database work in a thread of its own, so a connection
    # kept open for the next request (DATABASE_CONN_MAX_AGE) is never used again there:
    # they pile up until PostgreSQL refuses new clients. The web server borrows from a
    # pool of at most this many connections instead; Celery's workers, one thread each,
    # keep theirs with DATABASE_CONN_MAX_AGE.
    pool_size = int(env("DATABASE_POOL_MAX_SIZE", "0"))
    if pool_size:
        if DATABASES["default"]["CONN_MAX_AGE"]:
            raise ImproperlyConfigured(
                "DATABASE_POOL_MAX_SIZE and DATABASE_CONN_MAX_AGE exclude each other: "
                "pooled connections already outlive a request.")
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": min(2, pool_size), "max_size": pool_size,
            # A request waits this long for a free connection, then fails.
            "timeout": 10}
# The 1177 portal fetches a patient's published bookings with this bearer token;
# empty turns the feed off (B8).
BOOKINGS_FEED_TOKEN = env("BOOKINGS_FEED_TOKEN")
# The self check-in system (mobil självincheckning) fetches the day's bookings a
# patient may check in to with its own bearer token; empty turns that feed off.
SELF_CHECKIN_FEED_TOKEN = env("SELF_CHECKIN_FEED_TOKEN")

# Video room (DESIGN R1–R5)
# Peer-to-peer mesh: at most this many people in one room (R3); larger rooms need an SFU.
ROOM_MAX_PEERS = int(env("ROOM_MAX_PEERS", "6"))
# A socket sends a heartbeat every ROOM_HEARTBEAT_SECONDS; a presence not heard from for
# ROOM_PRESENCE_TTL (e.g. after a server crash) no longer counts (R4).
ROOM_HEARTBEAT_SECONDS = int(env("ROOM_HEARTBEAT_SECONDS", "20"))
ROOM_PRESENCE_TTL = datetime.timedelta(seconds=int(env("ROOM_PRESENCE_TTL_SECONDS", "60")))
# A heartbeat waits this long for others, to be answered with them in one database call.
ROOM_HEARTBEAT_GATHER_SECONDS = float(env("ROOM_HEARTBEAT_GATHER_SECONDS", "0.5"))
# STUN and TURN servers, comma-separated URLs (stun:host:3478, turn:host:3478?transport=udp,
# turns:host:5349). TURN credentials follow coturn's REST-API scheme (use-auth-secret):
# username "expiry:peer", password base64(HMAC-SHA1(TURN_SECRET, username)).
ROOM_STUN_URLS = env_list("ROOM_STUN_URLS", [])
ROOM_TURN_URLS = env_list("ROOM_TURN_URLS", [])
TURN_SECRET = env("TURN_SECRET")
TURN_CREDENTIAL_TTL = datetime.timedelta(
    seconds=int(env("TURN_CREDENTIAL_TTL_SECONDS", str(12 * 3600))))
# Set together or not at all: the system checks refuse half of it (visits/checks.py).
# End of video room settings.

# Security (DESIGN S1–S3) ----------------------------------------------------------
from csp.constants import NONCE, NONE, SELF  # noqa: E402

# Login lockout (django-axes): after this many failed logins for one username from
# one address, that pair is refused for the cool-off time. Username and address
# together, so nobody can lock a clinician out of the clinic from elsewhere.
AUTHENTICATION_BACKENDS = [
    "accounts.lockout.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(env("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "audit.services.client_address"
# Cut at the longest username, so a longer one is counted, always as the same name.
AXES_USERNAME_CALLABLE = "accounts.lockout.attempted_username"
# Across addresses (accounts.lockout): after this many failed logins for one username
# within the window, from anywhere, the account can be signed in to for the window only
# from an address it has signed in from within LOGIN_KNOWN_ADDRESS_DAYS (django-axes'
# access log), and ADMINS get a mail. Guessing from many addresses is slowed; the real
# user at their own computer is not locked out.
LOGIN_ACCOUNT_FAILURE_LIMIT = int(env("LOGIN_ACCOUNT_FAILURE_LIMIT", "10"))
LOGIN_ACCOUNT_WINDOW = datetime.timedelta(
    minutes=int(env("LOGIN_ACCOUNT_WINDOW_MINUTES", "15")))
LOGIN_KNOWN_ADDRESS_AGE = datetime.timedelta(days=int(env("LOGIN_KNOWN_ADDRESS_DAYS", "90")))
# Who is told of attacks on logins (Django's mail_admins): comma-separated addresses.
ADMINS = [(address, address) for address in env_list("DJANGO_ADMINS", [])]
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Attempts are in the database (admin: Axes); the application log stays quiet.
AXES_VERBOSE = False

# Content-Security-Policy (django-csp 4): our own files only, scripts with the
# request's nonce, no inline script or style (htmx's indicator styles are off in
# base.html), WebSockets to the hosts we serve, and never inside a frame.
# A host ".example.se" is Django's "the domain and its subdomains".
CSP_WEBSOCKET_SOURCES = [
    f"{scheme}://{name}{':*' if DEBUG else ''}"
    for host in ALLOWED_HOSTS if host != "*"
    for name in ([host[1:], f"*{host}"] if host.startswith(".") else [host])
    for scheme in (["ws", "wss"] if DEBUG else ["wss"])
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF, *CSP_WEBSOCKET_SOURCES],
        "font-src": [SELF],
        "media-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Staff sessions end after this long without the person doing anything; the page
# warns this long before and lets them stay (static/js/session-timeout.js).
STAFF_IDLE_TIMEOUT = datetime.timedelta(minutes=int(env("STAFF_IDLE_TIMEOUT_MINUTES", "30")))
STAFF_IDLE_WARNING = datetime.timedelta(seconds=int(env("STAFF_IDLE_WARNING_SECONDS", "120")))
# End of Security (DESIGN S1–S3) ---------------------------------------------------
