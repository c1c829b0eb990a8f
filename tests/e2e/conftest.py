"""A daphne server on the test database and Debian's Chromium driven by Playwright."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
]

# Playwright's sync API keeps an event loop in this thread, which Django would
# take for async code; the test's own ORM calls are plain sync code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    db = settings.DATABASES["default"]
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def live_server_url(django_db_setup, tmp_path_factory):
    """The app under daphne, with the Redis channel layer, on the test database."""
    log = tmp_path_factory.mktemp("daphne") / "daphne.log"
    with running_daphne(log) as url:
        yield url


def daphne_env(**extra: str) -> dict[str, str]:
    """A test server's environment: the test database, its connections from a pool as
    compose runs the web server, and links that may be opened often."""
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return environ | {"DATABASE_URL": database_url(), "DJANGO_DEBUG": "true",
                      "DATABASE_POOL_MAX_SIZE": "10", "DATABASE_CONN_MAX_AGE": "0",
                      "INVITATION_REDEEM_RATE": "100000/m",
                      "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1"} | extra


@contextlib.contextmanager
def running_daphne(log: Path, *, env: dict | None = None, args: tuple = ()):
    """daphne on a free port on the test database, output to `log`; always stopped."""
    port = free_port()
    environ = daphne_env(**(env or {}))
    with open(log, "a") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "daphne", *args, "-b", "127.0.0.1", "-p", str(port),
             "videovisit.asgi:application"],
            cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError):
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail("daphne did not start:\n" + log.read_text())
        time.sleep(0.2)
    try:
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()  # open sockets can hold daphne; never leave it behind
            server.wait(timeout=10)


@pytest.fixture(scope="session", autouse=True)
def flush_outlasts_the_server():
    """Let the database flush after a browser test try again after a deadlock.

    A closing page leaves the server a last request or socket write in flight, and
    the flush's TRUNCATE can take its tables in the opposite order; PostgreSQL then
    aborts one of the two. The write finishes, so a second flush gets through.
    """
    from django.db import OperationalError
    from django.db.backends.postgresql.operations import DatabaseOperations

    flush = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        for attempt in range(5):
            try:
                return flush(self, sql_list)
            except OperationalError as exc:
                if getattr(exc.__cause__, "sqlstate", None) != "40P01" or attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}; CI must not skip browser tests")
        pytest.skip(f"Chromium is missing at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server_url):
    # An English browser: the app must still speak Swedish until told otherwise.
    context = browser.new_context(base_url=live_server_url, locale="en-US",
                                  timezone_id="Europe/Stockholm")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def close_rooms(*pages) -> None:
    """Close the pages, then wait until the server has let their room sockets go.

    The test's database flush (TRUNCATE) must not meet the room's last writes as the
    sockets close: PostgreSQL can find a deadlock between them.
    """
    from visits.models import RoomPresence

    for page in pages:
        page.context.close()
    deadline = time.monotonic() + 10
    while RoomPresence.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.1)


WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def assert_accessible():
    """Scan the page as it is now with axe-core; fail listing every WCAG 2.1 A/AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page, name: str) -> None:
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA},
                                         "resultTypes": ["violations"]})
        assert results.violations_count == 0, f"{name}:\n{results.generate_report()}"

    return check


def off_loop(function, /, *args, **kwargs):
    """Call a service from a thread without Playwright's event loop.

    Services announce changes through async_to_sync, which refuses to run in a
    thread whose event loop is running, as Playwright's sync API keeps one here.
    """
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def call():
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def log_in(page, username: str = "alice") -> None:
    """Sign in on the login page, as staff do, and wait for Idag."""
    from playwright.sync_api import expect

    from tests.accounts.factories import PASSWORD

    page.goto("/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Idag")
