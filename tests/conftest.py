import os

import pytest
from django.conf import settings

from bookings.models import ContactType, KallelseTemplate, ScheduleActivity, VisitReason
from integrations.models import MessageTemplate
from tests.accounts.factories import CareUnitFactory, UserFactory


def describe_services() -> list[str]:
    db = settings.DATABASES["default"]
    where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}" if db.get("HOST") else ""
    layer = settings.CHANNEL_LAYERS["default"]
    hosts = [h["address"] for h in layer.get("CONFIG", {}).get("hosts", [])]
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    celery = "eager (in process)" if eager else settings.CELERY_BROKER_URL
    return [
        f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {where} {db['NAME']}".rstrip(),
        f"channel layer: {layer['BACKEND'].rsplit('.', 1)[-1]} {' '.join(hosts)}".rstrip(),
        f"celery broker: {celery}",
    ]


def pytest_report_header(config) -> list[str]:
    return describe_services()


def pytest_terminal_summary(terminalreporter) -> None:
    terminalreporter.write_line("ran on " + "; ".join(describe_services()))


def pytest_sessionstart(session) -> None:
    # The suite tests our own parts for real: an SQLite or in-memory run would
    # pass tests that PostgreSQL and Redis would fail.
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.postgresql" or not settings.REDIS_URL:
        pytest.exit(
            "The suite runs on PostgreSQL and Redis: run `make test`, or set DATABASE_URL "
            "and REDIS_URL.",
            returncode=3,
        )


@pytest.fixture(autouse=True)
def no_service_alerts():
    """Every test starts with no outside service failing: the alerts live in the cache,
    which is Redis and outlasts a test (integrations.alerts)."""
    from integrations.alerts import MESSAGES, service_works

    for service in MESSAGES:
        service_works(service)


@pytest.fixture
def care_unit():
    return CareUnitFactory(name="Vårdcentralen Ålidhem", hsa_id="SE2321000222-VC01")


@pytest.fixture
def other_unit():
    return CareUnitFactory(name="Vårdcentralen Berghem", hsa_id="SE2321000222-VC02")


@pytest.fixture
def clinician(care_unit):
    """alice: a physician at the care unit."""
    return UserFactory(username="alice", first_name="Alice", last_name="Lund",
                       care_units=[care_unit])


@pytest.fixture
def alice(client, clinician):
    """The clinician, signed in on the test client."""
    client.force_login(clinician)
    return clinician


@pytest.fixture
def colleague_same_unit(care_unit):
    """bob: a psychologist at the same unit as alice."""
    return UserFactory(username="bob", first_name="Bob", last_name="Sjöberg", title="Psykolog",
                       care_units=[care_unit])


@pytest.fixture
def outsider(other_unit):
    """charlie: a clinician at another care unit."""
    return UserFactory(username="charlie", first_name="Charlie", last_name="Ek",
                       care_units=[other_unit])


@pytest.fixture
def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(items) -> None:
    # Playwright's sync API holds an event loop in this thread while its
    # session-wide browser is open; async tests must run before it starts.
    items.sort(key=lambda item: "tests/e2e/" in str(item.fspath))


@pytest.fixture
def registry_server(settings):
    """The HTTP registry backend pointed at a local server that speaks its protocol."""
    from tests.fake_registry import FakeRegistry

    with FakeRegistry() as server:
        settings.REGISTRY_BACKEND = "integrations.registry.http.HttpRegistry"
        settings.REGISTRY_URL = server.url
        settings.REGISTRY_TOKEN = "test-token"
        settings.REGISTRY_TIMEOUT = 1.0
        settings.REGISTRY_RETRIES = 2
        settings.REGISTRY_RETRY_DELAY = 0.01
        yield server


@pytest.fixture(autouse=True)
def generous_link_rate(settings):
    """Tests open many links from one address; the limit's own test sets it low."""
    settings.INVITATION_REDEEM_RATE = "100000/m"


@pytest.fixture(autouse=True)
def generous_account_limit(settings):
    """Tests fail logins as alice again and again, and the per-account counts live in
    Redis; the limit's own tests set it low, for a username of their own."""
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 100000


@pytest.fixture(autouse=True)
def fresh_login_counters():
    """Each test starts with no per-account login counts or holds (accounts/lockout.py),
    also in the browser tests' server, which shares the Redis cache but not the setting
    above: what earlier tests or runs failed as alice must not hold her account."""
    from django.core.cache import cache

    def clear() -> None:
        client = getattr(cache, "_cache", None)
        if client is None or not hasattr(client, "get_client"):
            return
        redis = client.get_client(write=True)
        keys = list(redis.scan_iter(match=cache.make_key("login-account:*")))
        if keys:
            redis.delete(*keys)

    clear()
    yield
    clear()


@pytest.fixture(autouse=True)
def swedish():
    """Each test starts in Swedish: a request in English leaves its thread in English."""
    from django.utils import translation

    translation.activate("sv")
    yield
    translation.activate("sv")


@pytest.fixture
def ref(db):
    """The routine's reference data, as seed_demo creates it."""

    class Ref:
        divl = ContactType.objects.create(code="DiVL", name="Videobesök", is_video=True)
        bes = ContactType.objects.create(code="BES", name="Mottagningsbesök")
        video_activity = ScheduleActivity.objects.create(name="Videobesök")
        medverkan = ScheduleActivity.objects.create(name="Medverkan", published_on_1177=False)
        unpublished = ScheduleActivity.objects.create(name="Ej webbpublicerad tid",
                                                      published_on_1177=False)
        asam = VisitReason.objects.create(code="ASAM", name="ASAM – Anhörigsamtal",
                                          is_relative_call=True, self_checkin_exempt=True)
        aterbesok = VisitReason.objects.create(code="ÅTB", name="Återbesök")
        adult = KallelseTemplate.objects.create(
            name="Videobesök – vuxen", audience="adult",
            body="Legitimera dig med BankID. Testa kamera och mikrofon. Avboka via 1177.se.")
        child = KallelseTemplate.objects.create(
            name="Videobesök – barn", audience="child",
            body="Barnets ombud legitimerar sig med BankID.")
        teams = MessageTemplate.objects.create(
            key="gruppbesok-teams", name="Länk till gruppbesök via Teams", channel="portal",
            subject="Länk till ditt gruppbesök",
            body="Välkommen till gruppbesöket {{ start }}. Anslut: {{ meeting_url }}")

    return Ref
