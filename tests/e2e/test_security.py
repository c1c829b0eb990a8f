"""S3 in Chromium: no CSP violations with htmx at work, the idle warning, and no
personnummer in URLs or in the server's log."""

import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.sessions.backends.db import SessionStore
from personnummer import personnummer as lib
from playwright.sync_api import expect

from accounts.middleware import SESSION_KEY
from guests.models import Participant
from guests.services import participant_add
from patients.models import Patient
from tests.e2e.conftest import log_in, running_daphne
from tests.patients.factories import PatientFactory
from tests.visits.factories import VideoVisitFactory

pytestmark = pytest.mark.django_db(transaction=True)

# 10 or 12 digits with or without "-"/"+", not inside a longer run of digits.
NUMBER_SHAPE = re.compile(r"(?<!\d)(?:\d{6}|\d{8})[-+]?\d{4}(?!\d)")


def personnummer_in(text: str) -> list[str]:
    """The valid personnummer or samordningsnummer written anywhere in `text`."""
    return [m for m in NUMBER_SHAPE.findall(text) if lib.valid(m)]


@pytest.fixture
def violations(page):
    """What Chromium refused under the page's Content-Security-Policy."""
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None)
    page.add_init_script("""
        document.addEventListener("securitypolicyviolation", (event) => {
            console.error(`Refused to load: CSP ${event.violatedDirective} ${event.blockedURI}`);
        });
    """)
    return found


def test_staff_and_join_pages_run_without_csp_violations(page, violations, clinician,
                                                        care_unit, live_server_url):  # S3
    patient = PatientFactory(personnummer="198503129820", care_units=[care_unit])
    visit = VideoVisitFactory(owner=clinician, care_unit=care_unit, patient=patient)
    log_in(page)
    # htmx still works under the policy: the search result is swapped in
    page.get_by_role("link", name="Sök patient").click()
    page.get_by_label("Personnummer").fill("850312-9820")
    page.get_by_label("Personnummer").press("Enter")
    expect(page.locator("#search-result")).to_contain_text("Eva Lindqvist")
    page.goto(f"/patienter/{patient.pk}/")
    page.get_by_role("link", name="Relationer").click()
    expect(page.get_by_role("link", name="Relationer")).to_have_attribute(
        "aria-current", "page")
    # the live socket connects under connect-src, and htmx posts and swaps
    with page.expect_websocket() as socket:
        page.goto(f"/besok/{visit.pk}/")
    assert socket.value.url.endswith(f"/ws/staff/visit/{visit.pk}/")
    page.get_by_role("button", name="Ta emot").click()
    expect(page.locator("#visit-state")).to_have_text("Mottagen")
    assert not socket.value.is_closed()

    # In a thread of its own: the service tells the room over the channel layer,
    # which cannot run in this thread beside Playwright's event loop.
    with ThreadPoolExecutor(1) as pool:
        _participant, token = pool.submit(
            participant_add, visit=visit, kind=Participant.Kind.RELATIVE,
            first_name="Margareta", last_name="Ek", channel=Participant.Channel.SMS,
            mobile="+46701740608").result()
    guest = page.context.browser.new_context(base_url=live_server_url)
    guest_page = guest.new_page()
    guest_page.on("console", lambda message: violations.append(message.text)
                  if "Content Security Policy" in message.text else None)
    guest_page.goto(f"/in/{token}/")
    expect(guest_page.get_by_role("heading", level=1)).to_be_visible()
    assert "/mote/" in guest_page.url
    policy = guest_page.evaluate("""async () => (await fetch(location.href)).headers
                                    .get('content-security-policy')""")
    assert "frame-ancestors 'none'" in policy
    guest.close()
    assert violations == []


def test_a_refused_inline_script_is_reported(page, violations, live_server_url):
    # the listener above really hears violations: a page of ours that tries one
    page.goto("/logga-in/")
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.ran = true'; document.head.append(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("window.ran === undefined")
    assert any("script-src" in v for v in violations)


def session_of(page) -> SessionStore:
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    return SessionStore(session_key=cookie["value"])


def test_idle_staff_are_warned_and_can_stay_signed_in(page, clinician):  # S3
    page.clock.install()
    log_in(page)
    # the server last saw alice 29 minutes ago; the page's clock moves on as far
    session = session_of(page)
    session[SESSION_KEY] = time.time() - 29 * 60
    session.save()
    page.clock.fast_forward("28:30")
    dialog = page.get_by_role("dialog", name="Du loggas snart ut")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("loggas du ut om")
    dialog.get_by_role("button", name="Fortsätt vara inloggad").click()
    expect(dialog).to_be_hidden()
    assert time.time() - session_of(page)[SESSION_KEY] < 10

    # left alone past the timeout, the page goes to the login page and says why
    session = session_of(page)
    session[SESSION_KEY] = time.time() - 31 * 60
    session.save()
    page.clock.fast_forward("31:00")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    expect(page.get_by_role("status")).to_contain_text("inte har varit aktiv")


def test_signing_out_in_one_tab_takes_the_other_to_the_login_page(page, clinician):  # S3
    log_in(page)
    other = page.context.new_page()
    other.goto("/")
    expect(other.get_by_role("heading", level=1)).to_contain_text("Idag")
    expect(other.locator("body[data-live-socket=open]")).to_have_count(1)
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    expect(other.get_by_role("heading", level=1)).to_have_text("Logga in")
    other.close()


@pytest.fixture(scope="module")
def logged_server(django_db_setup, tmp_path_factory):
    """A daphne of its own whose whole output, unbuffered and at DEBUG, goes to one file."""
    log = tmp_path_factory.mktemp("logged-daphne") / "server.log"
    with running_daphne(log, env={"LOG_LEVEL": "DEBUG", "PYTHONUNBUFFERED": "1"},
                        args=("-v", "2")) as url:
        yield url, log


def test_no_personnummer_in_urls_or_in_the_server_log(browser, logged_server,
                                                      clinician):  # S3, P1
    assert personnummer_in("GET /x/19850312-9820/ 8503129820 850312+9820") == [
        "19850312-9820", "8503129820", "850312+9820"]  # the check can see them
    url, log = logged_server
    context = browser.new_context(base_url=url, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    log_in(page)
    page.get_by_role("link", name="Sök patient").click()
    field = page.get_by_label("Personnummer")
    field.fill("19850312-9820")
    field.press("Enter")
    card = page.locator("#search-result")
    card.get_by_label("Mobilnummer").fill("070-174 06 05")
    card.get_by_role("button", name="Skapa patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eva Lindqvist")
    patient = Patient.objects.get()
    page.get_by_role("link", name="Relationer").click()
    page.get_by_role("link", name="Besök", exact=True).click()
    expect(page.get_by_role("link", name="Besök", exact=True)).to_have_attribute(
        "aria-current", "page")
    assert personnummer_in(page.content())  # the page shows it, as it should
    context.close()

    assert [u for u in urls if personnummer_in(u)] == []
    output = log.read_text()
    # the log is this server's, at work: it saw the flow
    assert f"/patienter/{patient.pk}/besok/" in output and "/patienter/sok/" in output
    assert personnummer_in(output) == []
