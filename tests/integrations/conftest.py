import pytest

from tests.integrations.fakes import ThrowawayRedis, fake_provider, fake_smtp, worker_thread

ELKS_BACKEND = "integrations.sms.elks.ElksSmsBackend"
PORTAL_HTTP_BACKEND = "integrations.portal.http.HttpPortalBackend"


@pytest.fixture
def elks(settings):
    """46elks as a local HTTP server; SMS go to it."""
    with fake_provider() as provider:
        settings.SMS_BACKEND = ELKS_BACKEND
        settings.ELKS_API_URL = provider.url
        settings.ELKS_API_USERNAME = "u1a2b3"
        settings.ELKS_API_PASSWORD = "hemligt-lösen"
        settings.ELKS_SENDER = "Videobesok"
        settings.ELKS_TIMEOUT = 2.0
        yield provider


@pytest.fixture
def portal_api(settings):
    """The 1177 inbox API as a local HTTP server; 1177 messages go to it."""
    with fake_provider() as provider:
        settings.PORTAL_BACKEND = PORTAL_HTTP_BACKEND
        settings.PORTAL_API_URL = provider.url + "/api/v1/inbox/messages"
        settings.PORTAL_API_TOKEN = "token-abc123"
        settings.PORTAL_TIMEOUT = 2.0
        yield provider


@pytest.fixture
def smtp_server(settings):
    with fake_smtp() as smtp:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = smtp.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_TIMEOUT = 2.0
        yield smtp


@pytest.fixture
def celery_worker():
    """A real Celery worker in a thread, taking tasks from the Redis broker."""
    with worker_thread() as worker:
        yield worker


@pytest.fixture
def throwaway_redis(tmp_path):
    server = ThrowawayRedis(tmp_path)
    server.start()
    yield server
    server.stop()
