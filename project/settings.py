"""Every setting of social-medAI, read from the environment with safe local defaults.

`DJANGO_ENV=production` turns on the strict settings (`manage.py check --deploy` is clean
there). Without `DATABASE_URL` the site runs on SQLite; without a reachable Redis it runs on a
locmem cache, an in-memory channel layer and eager Celery. Each fallback prints one warning.
`REQUIRE_SERVICES=1` (CI) forbids the fallbacks: PostgreSQL and Redis must answer.
"""

import os
import socket
import sys
from pathlib import Path
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DJANGO_ENV = env("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"
TESTING = env.bool("TESTING", default="pytest" in sys.modules)
REQUIRE_SERVICES = env.bool("REQUIRE_SERVICES", default=False)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/socialmedai"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def _warn(message: str) -> None:
    """One clear line on stderr, once per process, so a fallback is never silent."""
    if not env.bool("SOCIALMEDAI_QUIET_FALLBACKS", default=False):
        sys.stderr.write(f"social-medAI WARNING: {message}\n")


def _tcp_answers(url: str, default_port: int, timeout: float = 0.3) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=timeout
        ):
            return True
    except OSError:
        return False


# --- Core -------------------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=not PRODUCTION and not TESTING)

if PRODUCTION:
    SECRET_KEY = env("SECRET_KEY")  # required: no default in production
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdef")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env("SITE_NAME", default="social-medAI")  # the product's name in account emails

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
    "ninja",
    "django_htmx",
    "django_celery_beat",
    "django_prometheus",
    "allauth",
    "apps.accounts.apps.SignInEmailsConfig",  # allauth.account, named for the admin
    "allauth.socialaccount",
    "allauth.socialaccount.providers.twitter_oauth2",
    "allauth.socialaccount.providers.openid_connect",
    "apps.core",
    "apps.accounts",
    "apps.brands",
    "apps.notifications",
    "apps.trends",
    "apps.learning",
    "apps.posts",
    "apps.media",
    "apps.collaborations",
    "apps.memes",
    "apps.analytics",
    "apps.publishing",
    "apps.sandbox",
    "apps.integrations",
    "apps.demo",  # seed_demo: the top floor, last
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.brands.middleware.CurrentBrandMiddleware",  # request.brand, looked up when first read
    "apps.brands.middleware.TimeZoneMiddleware",  # the brand's (or the user's) zone for every time shown
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "apps.core.metrics.PrometheusAfterMiddleware",  # the per-view series only (see the module)
]

# Benchmarks mount extra views (bench/urls.py) on top of the site; nothing else sets this.
ROOT_URLCONF = env("DJANGO_ROOT_URLCONF", default="project.urls")
WSGI_APPLICATION = "project.wsgi.application"
ASGI_APPLICATION = "project.asgi.application"

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
                "apps.core.context_processors.site",
                "apps.notifications.context_processors.bell",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------

if os.environ.get("DATABASE_URL") or REQUIRE_SERVICES:  # set but empty: SQLite, like unset
    DATABASE_URL = env("DATABASE_URL", default=DEFAULT_DATABASE_URL)
    if REQUIRE_SERVICES and not _tcp_answers(DATABASE_URL, 5432, timeout=2):
        raise ImproperlyConfigured(
            f"REQUIRE_SERVICES=1 but PostgreSQL does not answer at {urlparse(DATABASE_URL).netloc}."
        )
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and env.bool("DB_POOL", default=True):
        # Connections stay open in psycopg's pool. Django's own persistent connections
        # (CONN_MAX_AGE) are per thread, and under ASGI each request has a thread of its own,
        # so they would pile up; the pool is safe there and in Celery's forked workers.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DB_POOL_MIN", default=1),
            "max_size": env.int("DB_POOL_MAX", default=10),
            "timeout": env.int("DB_POOL_TIMEOUT", default=10),
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    _warn("DATABASE_URL is not set: using SQLite (db.sqlite3). Set DATABASE_URL for PostgreSQL.")
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
            # A file, not memory, so browser tests can share it with a server process.
            "TEST": {"NAME": BASE_DIR / ".test-db.sqlite3"},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, Celery broker --------------------------------------------

REDIS_URL = env("REDIS_URL", default="")
# REDIS_URL set but empty means "no Redis": the fallbacks, even if one answers on localhost.
_REDIS_DISABLED = "REDIS_URL" in os.environ and not REDIS_URL and not REQUIRE_SERVICES
if not REDIS_URL and not _REDIS_DISABLED and (REQUIRE_SERVICES or _tcp_answers(DEFAULT_REDIS_URL, 6379)):
    REDIS_URL = DEFAULT_REDIS_URL
if REQUIRE_SERVICES and not _tcp_answers(REDIS_URL, 6379, timeout=2):
    raise ImproperlyConfigured(f"REQUIRE_SERVICES=1 but Redis does not answer at {REDIS_URL}.")
USE_REDIS = bool(REDIS_URL)

# Tests share the developer's Redis: keep their keys and channel groups apart.
_KEY_PREFIX = env("CACHE_KEY_PREFIX", default="smai-test" if TESTING else "smai")


def _redis_db(url: str, db: int) -> str:
    parsed = urlparse(url)
    return parsed._replace(path=f"/{db}").geturl()


if USE_REDIS:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Tests clear their cache between tests: a database of their own, never the app's.
            "LOCATION": _redis_db(REDIS_URL, env.int("TEST_REDIS_DB", default=15)) if TESTING else REDIS_URL,
            "KEY_PREFIX": _KEY_PREFIX,
            "TIMEOUT": 300,
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"{_KEY_PREFIX}-asgi"},
        }
    }
else:
    _why = "REDIS_URL is empty" if _REDIS_DISABLED else "REDIS_URL unset, nothing on 127.0.0.1:6379"
    _warn(
        f"no Redis ({_why}): using a locmem cache, an in-memory channel layer and eager Celery. "
        "Fine for one process; set REDIS_URL for more."
    )
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Celery -------------------------------------------------------------------------------

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not USE_REDIS or TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Three queues, each with workers of its own in the Procfile, so a one-hour trend run (the only
# job that loads torch) can never hold up the 2-second publishing dispatcher: `default`, `trends`
# and `publishing`. Tests (and each e2e server, each benchmark) share a developer's Redis with a
# running `make run` worker: CELERY_QUEUE=X gives them X, X-trends and X-publishing of their own.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="smai-test" if TESTING else "default")
_QUEUE_PREFIX = "" if CELERY_TASK_DEFAULT_QUEUE == "default" else f"{CELERY_TASK_DEFAULT_QUEUE}-"
TRENDS_QUEUE = f"{_QUEUE_PREFIX}trends"
PUBLISH_QUEUE = env("PUBLISH_QUEUE", default=f"{_QUEUE_PREFIX}publishing")
# A worker started without -Q (make run's, the e2e servers', the tests' real_worker) reads all three.
CELERY_TASK_QUEUES = [Queue(name) for name in (CELERY_TASK_DEFAULT_QUEUE, TRENDS_QUEUE, PUBLISH_QUEUE)]
CELERY_TASK_ROUTES = {
    "trends.refresh": {"queue": TRENDS_QUEUE},  # fetch, embed (torch), score: up to an hour
    "trends.brand_rescore": {"queue": TRENDS_QUEUE},  # a brand's embedding (torch) and its scores
    "publishing.dispatch": {"queue": PUBLISH_QUEUE},
    "publishing.publish": {"queue": PUBLISH_QUEUE},
    "publishing.publish_many": {"queue": PUBLISH_QUEUE},
    "publishing.notify_live": {"queue": PUBLISH_QUEUE},
}  # everything else: the default queue

# --- Auth and accounts (django-allauth) ------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal"
ACCOUNT_LOGOUT_REDIRECT_URL = "landing"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# The product asks for "this email is taken" next to the field at sign-up, which tells that an
# account exists; allauth's rate limits keep that from being used to list accounts quickly.
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SIGNUP_FORM_CLASS = "apps.accounts.forms.RoleSignupForm"
ACCOUNT_ADAPTER = "apps.accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[social-medAI] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_SESSION_REMEMBER = None
if TESTING:
    ACCOUNT_RATE_LIMITS = False
# --- Social accounts: X (OAuth 2.0 with PKCE) and LinkedIn (OpenID Connect) ---------------------
# Used to connect publishing accounts to brands (and influencers' accounts), never to sign in.
# Tokens are stored encrypted (apps.accounts.signals, TOKEN_ENCRYPTION_KEYS).
SOCIALACCOUNT_STORE_TOKENS = True
SOCIALACCOUNT_ADAPTER = "apps.accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_QUERY_EMAIL = False
X_CLIENT_ID = env("X_CLIENT_ID", default="")
X_CLIENT_SECRET = env("X_CLIENT_SECRET", default="")
# Where X's OAuth and API live; tests point these at a local fake server.
X_AUTHORIZE_URL = env("X_AUTHORIZE_URL", default="https://x.com/i/oauth2/authorize")
X_API_BASE_URL = env("X_API_BASE_URL", default="https://api.x.com").rstrip("/")
LINKEDIN_CLIENT_ID = env("LINKEDIN_CLIENT_ID", default="")
LINKEDIN_CLIENT_SECRET = env("LINKEDIN_CLIENT_SECRET", default="")
LINKEDIN_OIDC_SERVER_URL = env("LINKEDIN_OIDC_SERVER_URL", default="https://www.linkedin.com/oauth")
# LinkedIn's REST API (Posts, Images); the version header is a YYYYMM LinkedIn still serves.
LINKEDIN_API_BASE_URL = env("LINKEDIN_API_BASE_URL", default="https://api.linkedin.com").rstrip("/")
LINKEDIN_API_VERSION = env("LINKEDIN_API_VERSION", default="202510")

# Publishing (apps.publishing): the client class of each platform, the dispatcher and its leases,
# retry rules (SPEC section 6) and the token-bucket defaults per platform tier.
SOCIAL_PUBLISHERS = {
    "x": env("X_PUBLISHER", default="apps.integrations.social.x.XPublisher"),
    "linkedin": env("LINKEDIN_PUBLISHER", default="apps.integrations.social.linkedin.LinkedInPublisher"),
    "sandbox": env("SANDBOX_PUBLISHER", default="apps.sandbox.publisher.SandboxPublisher"),
}
PUBLISH_TIMEOUT = env.float("PUBLISH_TIMEOUT", default=20.0)  # seconds per platform request
PUBLISH_CLAIM_LEASE = env.float("PUBLISH_CLAIM_LEASE", default=120.0)  # queued, no worker started it
PUBLISH_SEND_LEASE = env.float("PUBLISH_SEND_LEASE", default=120.0)  # sending, no outcome recorded
PUBLISH_DISPATCH_EVERY = env.float("PUBLISH_DISPATCH_EVERY", default=2.0)  # seconds
PUBLISH_DISPATCH_BATCH = env.int("PUBLISH_DISPATCH_BATCH", default=500)
PUBLISH_TASK_CHUNK = env.int("PUBLISH_TASK_CHUNK", default=8)  # publications per worker task
PUBLISH_EXPIRE_AFTER_HOURS = env.int("PUBLISH_EXPIRE_AFTER_HOURS", default=24)
PUBLISH_RATE_LIMIT_RETRY_MINUTES = env.int("PUBLISH_RATE_LIMIT_RETRY_MINUTES", default=15)
PUBLISH_RATE_LIMIT_RETRIES = env.int("PUBLISH_RATE_LIMIT_RETRIES", default=3)
PUBLISH_NETWORK_BACKOFF = [1, 2, 4, 8]  # seconds between the at most 5 tries
X_API_TIER = env("X_API_TIER", default="basic")  # free, basic or pro: the token-bucket defaults
LINKEDIN_API_TIER = env("LINKEDIN_API_TIER", default="development")  # development or standard
# Overrides of the documented defaults, "capacity/seconds", e.g. "100/86400" (tests and benchmarks).
PUBLISH_BUCKET_OVERRIDES = env.dict("PUBLISH_BUCKET_OVERRIDES", default={})


def social_providers_config(x_id: str, x_secret: str, li_id: str, li_secret: str, li_server_url: str) -> dict:
    """allauth's provider settings; a provider without a client id has no app (not configured)."""
    return {
        "twitter_oauth2": {
            "APPS": [{"client_id": x_id, "secret": x_secret}] if x_id else [],
            "SCOPE": ["tweet.read", "tweet.write", "users.read", "offline.access", "media.write"],
            "OAUTH_PKCE_ENABLED": True,
            "FIELDS": ["id", "name", "username", "profile_image_url", "public_metrics"],
        },
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "linkedin",
                    "name": "LinkedIn",
                    "client_id": li_id,
                    "secret": li_secret,
                    "settings": {
                        "server_url": li_server_url,
                        "token_auth_method": "client_secret_post",
                        "scope": ["openid", "profile", "email", "w_member_social"],
                    },
                }
            ]
            if li_id
            else [],
        },
    }


SOCIALACCOUNT_PROVIDERS = social_providers_config(
    X_CLIENT_ID, X_CLIENT_SECRET, LINKEDIN_CLIENT_ID, LINKEDIN_CLIENT_SECRET, LINKEDIN_OIDC_SERVER_URL
)

# --- Trends (SPEC section 4) -----------------------------------------------------------------

# Which sources the 6-hourly job asks, in order. Reddit, RSS and Mastodon need no key; X and
# NewsAPI are skipped with one log line until their credentials are set. Tests name their own.
TREND_SOURCES = env.list(
    "TREND_SOURCES", default=[] if TESTING else ["x", "newsapi", "reddit", "rss", "mastodon"]
)
# When every source fails or returns nothing (no keys, no internet), the job serves the offline
# demo set instead of leaving the trends as they were, so an offline demo keeps its
# recommendations flowing. Never in production: demo stories must not reach real brands.
TREND_OFFLINE_FALLBACK = env.bool("TREND_OFFLINE_FALLBACK", default=not PRODUCTION and not TESTING)
TREND_SOURCE_CLASSES = {
    "x": "apps.integrations.sources.x.XTrendsSource",
    "newsapi": "apps.integrations.sources.newsapi.NewsApiSource",
    "reddit": "apps.integrations.sources.reddit.RedditSource",
    "rss": "apps.integrations.sources.rss.RssSource",
    "mastodon": "apps.integrations.sources.mastodon.MastodonSource",
    "offline": "apps.integrations.sources.offline.OfflineFixtureSource",
}
# X API v2 trends (app-only bearer token): GET /2/trends/by/woeid/:woeid (1 = worldwide).
X_BEARER_TOKEN = env("X_BEARER_TOKEN", default="")
X_TRENDS_WOEID = env.int("X_TRENDS_WOEID", default=1)
NEWSAPI_KEY = env("NEWSAPI_KEY", default="")
NEWSAPI_BASE_URL = env("NEWSAPI_BASE_URL", default="https://newsapi.org").rstrip("/")
NEWSAPI_COUNTRY = env("NEWSAPI_COUNTRY", default="us")
# Reddit: public JSON listings with our User-Agent; app-only OAuth when both credentials are set.
REDDIT_CLIENT_ID = env("REDDIT_CLIENT_ID", default="")
REDDIT_CLIENT_SECRET = env("REDDIT_CLIENT_SECRET", default="")
REDDIT_USER_AGENT = env("REDDIT_USER_AGENT", default="web:social-medai:1.0 (self-hosted trend scanner)")
REDDIT_BASE_URL = env("REDDIT_BASE_URL", default="https://www.reddit.com").rstrip("/")
REDDIT_OAUTH_BASE_URL = env("REDDIT_OAUTH_BASE_URL", default="https://oauth.reddit.com").rstrip("/")
REDDIT_LISTING_LIMIT = env.int("REDDIT_LISTING_LIMIT", default=25)
# Mastodon's public trends API (no key): /api/v1/trends/tags and /api/v1/trends/links.
MASTODON_BASE_URL = env("MASTODON_BASE_URL", default="https://mastodon.social").rstrip("/")
TREND_SOURCE_TIMEOUT = env.float("TREND_SOURCE_TIMEOUT", default=10.0)
# What each industry's queries look for. Operators' own industries fall back to their name as
# the keyword; override the whole map with TREND_INDUSTRY_SOURCES_JSON.
TREND_INDUSTRY_SOURCES = env.json(
    "TREND_INDUSTRY_SOURCES_JSON",
    default={
        "fintech": {
            "keywords": ["fintech", "open banking", "payments", "neobank"],
            "subreddits": ["fintech", "finance", "personalfinance"],
            "feeds": [
                "https://www.finextra.com/rss/headlines.aspx",
                "https://techcrunch.com/category/fintech/feed/",
            ],
            "newsapi_category": "business",
        },
        "tech": {
            "keywords": ["artificial intelligence", "SaaS", "cybersecurity", "developer tools"],
            "subreddits": ["technology", "programming", "artificial"],
            "feeds": ["https://techcrunch.com/feed/", "https://feeds.arstechnica.com/arstechnica/index"],
            "newsapi_category": "technology",
        },
        "education": {
            "keywords": ["edtech", "online learning", "higher education", "skills training"],
            "subreddits": ["education", "edtech", "Teachers"],
            "feeds": ["https://www.edsurge.com/articles_rss", "https://www.insidehighered.com/rss.xml"],
            "newsapi_category": "",
        },
        "other": {"keywords": [], "subreddits": ["news"], "feeds": [], "newsapi_category": "general"},
    },
)
# Near-duplicate items and trends merge when their embeddings' cosine similarity is at least
# this (all-MiniLM-L6-v2; the same story retold scores 0.85-0.95, related stories 0.3-0.6).
TREND_DEDUPE_COSINE = env.float("TREND_DEDUPE_COSINE", default=0.8)
# A discussion (hashtag, X trend, Reddit thread) joins the nearest story with articles at this.
TREND_ATTACH_COSINE = env.float("TREND_ATTACH_COSINE", default=0.55)
TREND_EXPIRE_DAYS = env.int("TREND_EXPIRE_DAYS", default=30)
TREND_EMBEDDER = env("TREND_EMBEDDER", default="apps.trends.embeddings.MiniLMEmbedder")
# Rerank each brand's top 15 trends by the configured LLM: one batched call per brand per refresh,
# grades cached 7 days per brand profile and trend (apps.trends.rerank). Off, or without an LLM,
# or when the call fails, the embedding ranking stands alone.
TREND_LLM_RERANK = env.bool("TREND_LLM_RERANK", default=True)

# --- LLM (SPEC section 5) --------------------------------------------------------------------

# Any OpenAI-compatible chat-completions server: Groq by default, OpenAI
# (https://api.openai.com/v1), Ollama (http://localhost:11434/v1), vLLM (http://host:8000/v1).
# Configured when LLM_API_KEY is set, or when LLM_BASE_URL points anywhere but Groq (a server of
# your own needs no key); otherwise posts get template copy.
LLM_BASE_URL = env("LLM_BASE_URL", default="https://api.groq.com/openai/v1").rstrip("/")
LLM_API_KEY = env("LLM_API_KEY", default="")
if TESTING and urlparse(LLM_BASE_URL).hostname != "127.0.0.1":
    # The test suite never calls a real LLM, whatever .env says: only the local fake (tests/fakes/llm.py).
    LLM_BASE_URL, LLM_API_KEY = "https://api.groq.com/openai/v1", ""
LLM_MODEL = env("LLM_MODEL", default="llama-3.3-70b-versatile")
LLM_TIMEOUT = env.float("LLM_TIMEOUT", default=30.0)  # seconds per attempt
LLM_MAX_RETRIES = env.int("LLM_MAX_RETRIES", default=2)  # on timeouts, network errors, 429 and 5xx
LLM_MAX_RETRY_WAIT = env.float("LLM_MAX_RETRY_WAIT", default=20.0)  # cap on honouring retry-after
LLM_CLIENT = "apps.integrations.llm.openai_compat.OpenAICompatibleClient"

# --- Images (SPEC section 5: graphics) --------------------------------------------------------

# Template graphics (Pillow, apps/integrations/images/layouts.py) unless a Stability AI key is
# set; any Stability failure falls back to the template graphic.
STABILITY_API_KEY = env("STABILITY_API_KEY", default="")
STABILITY_BASE_URL = env("STABILITY_BASE_URL", default="https://api.stability.ai").rstrip("/")
if TESTING and urlparse(STABILITY_BASE_URL).hostname != "127.0.0.1":
    # The test suite never calls the real image API: only the local fake (tests/fakes/stability.py).
    STABILITY_BASE_URL, STABILITY_API_KEY = "https://api.stability.ai", ""
STABILITY_TIMEOUT = env.float("STABILITY_TIMEOUT", default=30.0)  # seconds for one image
STABILITY_STYLE_PRESET = env("STABILITY_STYLE_PRESET", default="")  # e.g. "photographic", "digital-art"
GRAPHICS_GENERATOR = env(
    "GRAPHICS_GENERATOR",
    default="apps.integrations.images.stability.StabilityGenerator"
    if STABILITY_API_KEY
    else "apps.integrations.images.layouts.TemplateGenerator",
)

# --- Payments: collaboration fees (SPEC section 8, apps/integrations/payments) ------------------

# Manual payments (the brand marks the fee paid, the influencer confirms receipt) unless a Stripe
# secret key is set; then Stripe Connect (PaymentIntents and Transfers to connected accounts).
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com").rstrip("/")
if TESTING and urlparse(STRIPE_API_BASE).hostname != "127.0.0.1":
    # The test suite never calls the real Stripe: only the local fake (tests/fakes/stripe.py).
    STRIPE_API_BASE, STRIPE_SECRET_KEY = "https://api.stripe.com", ""
STRIPE_API_VERSION = env("STRIPE_API_VERSION", default="2024-06-20")  # the Stripe-Version header
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")  # whsec_…: verifies Stripe-Signature
STRIPE_TIMEOUT = env.float("STRIPE_TIMEOUT", default=30.0)  # seconds per attempt
STRIPE_MAX_RETRIES = env.int("STRIPE_MAX_RETRIES", default=2)  # same idempotency key each time
STRIPE_MAX_RETRY_WAIT = env.float("STRIPE_MAX_RETRY_WAIT", default=20.0)  # cap on honouring Retry-After
PAYMENT_PROVIDER = env(
    "PAYMENT_PROVIDER",
    default="apps.integrations.payments.stripe.StripeProvider"
    if STRIPE_SECRET_KEY
    else "apps.integrations.payments.manual.ManualProvider",
)

# --- Moderation: offensive words in post copy and meme captions (apps/integrations/moderation) ---

MODERATOR = env("MODERATOR", default="apps.integrations.moderation.wordlist.WordListModerator")

# --- Memes: generation rate limit (SPEC section 9, apps/memes/ratelimit.py) -----------------------

# Memes made through the API (each batch item too) and render-by-URL requests that have to render,
# per signed-in user and per client IP, as "count/period" (second, minute, hour, day or seconds);
# "off" turns one off. Over the limit: 429 with Retry-After.
MEME_GENERATE_PER_USER = env("MEME_GENERATE_PER_USER", default="60/minute")
MEME_GENERATE_PER_IP = env("MEME_GENERATE_PER_IP", default="120/minute")
# How many proxies of ours stand in front of the app (e.g. 1 behind nginx): the client IP is then
# read that many entries from the right of X-Forwarded-For; 0 uses REMOTE_ADDR only.
MEME_TRUSTED_PROXIES = env.int("MEME_TRUSTED_PROXIES", default=0)
# Stored renders no meme uses (URL renders, previews, deleted memes) are deleted this many days
# after they were made; a meme's own files are kept (and re-rendered if ever missing).
MEME_RENDER_CACHE_DAYS = env.int("MEME_RENDER_CACHE_DAYS", default=30)
# Animated memes asked for by a web request are rendered by the worker; the request waits this
# many seconds for the file, then answers 202 (the page shows progress). 0: never wait.
MEME_RENDER_WAIT = env.float("MEME_RENDER_WAIT", default=2.0)

# --- Email --------------------------------------------------------------------------------

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Development without EMAIL_URL: each email is written whole to .mail/ and the console gets one
# line with the file and the verification link (the console backend printed ~40 lines of MIME).
EMAIL_DEV_DIR = env("EMAIL_DEV_DIR", default=str(BASE_DIR / ".mail"))
if not PRODUCTION and not env("EMAIL_URL", default=""):
    EMAIL_BACKEND = "apps.core.mail.DevelopmentEmailBackend"
if env("EMAIL_FILE_PATH", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env("EMAIL_FILE_PATH")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="social-medAI <no-reply@socialmedai.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- I18N, static, media --------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Collected files exist in production only (release step); elsewhere whitenoise reads the sources.
STATIC_ROOT = BASE_DIR / "staticfiles" if PRODUCTION else None
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))


def media_storage(*, bucket: str, endpoint_url: str, region: str, access_key: str, secret_key: str) -> dict:
    """Django's default storage: local files under MEDIA_ROOT, or an S3-compatible bucket (AWS S3,
    MinIO, Cloudflare R2…) when a bucket is named. Files stay private: the app serves them through
    its access-checked views, and S3 URLs are signed."""
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }


STORAGES = {
    "default": media_storage(
        bucket=env("S3_BUCKET", default=""),
        endpoint_url=env("S3_ENDPOINT_URL", default=""),
        region=env("S3_REGION", default=""),
        access_key=env("S3_ACCESS_KEY_ID", default=""),
        secret_key=env("S3_SECRET_ACCESS_KEY", default=""),
    ),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside production whitenoise serves straight from the source folders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security -------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "apps.core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Product knobs ----------------------------------------------------------------------------

# Fernet keys for secrets at rest (OAuth tokens), newest first. Generate one with
# python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
if PRODUCTION:
    TOKEN_ENCRYPTION_KEYS = env.list("TOKEN_ENCRYPTION_KEYS")
else:
    import base64
    import hashlib

    _derived = base64.urlsafe_b64encode(hashlib.sha256(f"tokens:{SECRET_KEY}".encode()).digest()).decode()
    TOKEN_ENCRYPTION_KEYS = env.list("TOKEN_ENCRYPTION_KEYS", default=[_derived])
API_TOKEN_PREFIX = "smai"  # noqa: S105 (a public label, not a secret)
METRICS_TOKEN = env("METRICS_TOKEN", default="")

# --- Logging ------------------------------------------------------------------------------------

# Loading the embedding model's weights draws a tqdm bar (huggingface_hub's switch turns off the
# bars of transformers too): noise on the console and in logs. HF_HUB_DISABLE_PROGRESS_BARS=0 shows it.
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "console": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"},
    },
    "filters": {"idle_ticks": {"()": "apps.core.logging.IdleTickFilter"}},
    "handlers": {
        "default": {
            "class": "logging.StreamHandler",
            "formatter": env("LOG_FORMAT", default="json" if PRODUCTION else "console"),
            "filters": ["idle_ticks"],
        }
    },
    "root": {"handlers": ["default"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        "celery": {"level": LOG_LEVEL},
    },
}
