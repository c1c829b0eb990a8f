"""Every page a person sees, scanned with axe-core for WCAG 2.1 A and AA (TESTING.md)."""

import os
import re
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from playwright.sync_api import expect

from accounts.middleware import SESSION_KEY
from guests.models import Participant
from guests.services import participant_add
from tests.accounts.factories import PASSWORD
from tests.bookings.conftest import adult, child, day, schedule  # noqa: F401
from tests.e2e.conftest import (
    ROOT,
    close_rooms,
    database_url,
    log_in,
    off_loop,
    running_daphne,
)
from tests.e2e.test_booking import choose_time, pick_slot
from tests.e2e.test_room import identify, invite, new_page, wait_for_video
from tests.e2e.test_security import session_of
from tests.patients.factories import GuardianFactory, PatientFactory
from tests.visits.factories import VideoVisitFactory
from visits.models import VideoVisit

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_pages_have_no_wcag_violations(page, clinician, colleague_same_unit, care_unit,
                                            assert_accessible):
    lo = PatientFactory(personnummer="201706159835", first_name="Lo", last_name="Berg",
                        has_eid=False, mobile="", care_units=[care_unit])
    GuardianFactory(child=lo, mobile="+46701740606")
    visit = VideoVisitFactory(owner=clinician, care_unit=care_unit, patient=lo,
                              notes="Anteckning")

    page.goto("/logga-in/")
    # Each language is offered in its own name, marked with its language (WCAG 3.1.2).
    expect(page.get_by_label("Språk").locator("option")).to_have_text(["Svenska", "English"])
    expect(page.get_by_role("option", name="English")).to_have_attribute("lang", "en")
    assert_accessible(page, "login")
    page.get_by_label("Användarnamn").fill("alice")
    page.get_by_label("Lösenord").fill("fel")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page, "login with error")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Idag")
    assert_accessible(page, "start page")

    page.goto("/patienter/sok/")
    assert_accessible(page, "patient search")
    field = page.get_by_label("Personnummer")
    field.fill("850312-9821")
    field.press("Enter")
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page, "patient search with error")
    field.fill("19850312-9820")
    field.press("Enter")
    expect(page.get_by_role("button", name="Skapa patient")).to_be_visible()
    expect(page.locator("#id_personnummer")).to_have_count(1)  # the card's form has its own ids
    assert_accessible(page, "patient search, registry card")

    for tab in ["", "relationer/", "besok/"]:
        page.goto(f"/patienter/{lo.pk}/{tab}")
        assert_accessible(page, f"patient page {tab or 'overview'}")

    page.goto(f"/besok/{visit.pk}/")
    assert_accessible(page, "visit page")
    page.get_by_role("button", name="Avboka").click()
    expect(page.get_by_role("alertdialog", name="Vill du avboka besöket?")).to_be_visible()
    assert_accessible(page, "question before cancelling")
    page.get_by_role("link", name="Avbryt").click()
    expect(page.get_by_role("button", name="Avboka")).to_be_focused()
    page.get_by_role("link", name="Redigera deltagare").click()
    expect(page.get_by_role("button", name="Lägg till och skicka länk")).to_be_visible()
    assert_accessible(page, "participants editor")

    page.goto("/besok/nytt/")
    assert_accessible(page, "new visit")
    page.get_by_role("button", name="Lägg till gäst").click()
    expect(page.get_by_role("group", name="Gäst 1")).to_be_visible()
    assert_accessible(page, "new visit with a guest")
    page.get_by_role("button", name="Skapa och skicka inbjudningar").click()
    expect(page.get_by_role("group", name="Gäst 1").locator(".field__errors").first).to_be_visible()
    assert_accessible(page, "new visit with errors")
    page.goto("/dev/inkorg/")
    assert_accessible(page, "development inbox")



def test_idle_warning_has_no_wcag_violations(page, clinician, assert_accessible):  # S3
    page.clock.install()
    log_in(page, "alice")
    # the server last saw alice 29 minutes ago; the page's clock moves on as far
    session = session_of(page)
    session[SESSION_KEY] = time.time() - 29 * 60
    session.save()
    page.clock.fast_forward("28:30")
    dialog = page.get_by_role("dialog", name="Du loggas snart ut")
    expect(dialog).to_contain_text("loggas du ut om")
    assert_accessible(page, "idle warning")

def test_guest_pages_have_no_wcag_violations(page, clinician, care_unit, assert_accessible):
    visit = VideoVisitFactory(owner=clinician, care_unit=care_unit)
    _participant, token = off_loop(participant_add, visit=visit, kind="relative",
                                   first_name="Margareta", last_name="Ek", channel="none")
    page.goto(f"/in/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbjudan till videomöte")
    expect(page.get_by_role("option", name="English")).to_have_attribute("lang", "en")
    # The page itself, not a box drawn around it (a form's class once styled the body).
    expect(page.locator("body")).to_have_css("border-top-style", "none")
    assert_accessible(page, "join page")
    page.get_by_label("Språk").select_option("en")
    page.get_by_role("button", name="Byt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitation to a video meeting")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page, "join page in English")
    page.goto("/in/" + "x" * 43 + "/")
    assert_accessible(page, "dead link page")


# The booking tests' fixtures, imported: ruff reads them as redefined names.
def test_booking_wizard_has_no_wcag_violations(page, clinician, colleague_same_unit, ref,  # noqa: F811
                                                schedule, adult, child, day,  # noqa: F811
                                                assert_accessible):
    log_in(page, "alice")

    # An adult: every step, with the errors a step can show.
    page.goto(reverse("bookings:start"))
    expect(page.get_by_role("heading", level=2, name="Patient")).to_be_visible()
    assert_accessible(page, "wizard: Patient")
    field = page.get_by_label("Personnummer")
    field.fill("850312-9821")
    field.press("Enter")
    expect(page.locator(".field__errors")).to_contain_text("Kontrollsiffran stämmer inte")
    # A screen reader reads the error with the field (Django's aria-describedby).
    expect(page.get_by_label("Personnummer")).to_have_accessible_description(
        re.compile("Kontrollsiffran stämmer inte"))
    # Focus stays where the person is: on the field to fix, then on each new step.
    expect(page.get_by_label("Personnummer")).to_be_focused()
    assert_accessible(page, "wizard: Patient with error")
    choose_time(page, "Videobesök – en behandlare", adult.personnummer)
    expect(page.get_by_role("heading", level=2, name="Behandlare och tid")).to_be_focused()
    assert_accessible(page, "wizard: Behandlare och tid")
    page.get_by_label("Dag").fill(day.isoformat())
    page.get_by_role("button", name="Visa lediga tider").click()
    expect(page.get_by_role("group", name="Ledig tid").get_by_role("radio").first) \
        .to_be_focused()
    assert_accessible(page, "wizard: Behandlare och tid with free times")
    page.get_by_label("09:30–10:00").check()
    page.get_by_role("button", name="Nästa").click()
    expect(page.get_by_role("heading", level=2, name="Uppgifter")).to_be_visible()
    assert_accessible(page, "wizard: Uppgifter")
    page.get_by_role("button", name="Nästa").click()
    expect(page.get_by_role("heading", level=2, name="Kallelse")).to_be_visible()
    assert_accessible(page, "wizard: Kallelse")
    page.get_by_role("button", name="Nästa").click()
    expect(page.locator(".field__errors")).to_contain_text("Välj Skriv ut eller Spara")
    expect(page.get_by_label("Skriv ut – kallelsen skickas med post")).to_be_focused()
    assert_accessible(page, "wizard: Kallelse with error")
    page.get_by_label("Skriv ut – kallelsen skickas med post").check()
    page.get_by_role("button", name="Nästa").click()
    expect(page.get_by_role("heading", level=2, name="Bekräfta")).to_be_visible()
    assert_accessible(page, "wizard: Bekräfta")
    page.get_by_role("button", name="Boka").click()
    expect(page.get_by_role("status")).to_contain_text("Bokningen är klar")
    assert_accessible(page, "booking page")
    page.get_by_role("link", name="Skriv ut kallelse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kallelse till videobesök")
    assert_accessible(page, "kallelse")

    # A child under 13: the Deltagare step with its error (P5).
    choose_time(page, "Videobesök – en behandlare", child.personnummer)
    pick_slot(page, day, "10:00–10:30")
    expect(page.get_by_role("heading", level=2, name="Deltagare")).to_be_visible()
    assert_accessible(page, "wizard: Deltagare for a child")
    page.get_by_role("button", name="Nästa").click()
    expect(page.locator(".field__errors").first).to_contain_text("vårdnadshavare")
    assert_accessible(page, "wizard: Deltagare for a child with errors")

    page.get_by_role("button", name="Börja om").click()
    expect(page.get_by_role("heading", level=2, name="Patient")).to_be_visible()

    # Teambesök: the colleagues to choose and Medverkan (B3).
    choose_time(page, "Teambesök – flera behandlare", adult.personnummer)
    expect(page.get_by_label("Bob Sjöberg (Psykolog)")).to_be_visible()
    assert_accessible(page, "wizard: team visit's Behandlare och tid")
    page.get_by_label("Bob Sjöberg (Psykolog)").check()
    pick_slot(page, day, "09:00–09:30")
    expect(page.get_by_label("Schemaaktivitet för medverkande")).to_be_visible()
    assert_accessible(page, "wizard: team visit's Uppgifter with Medverkan")

    page.get_by_role("button", name="Börja om").click()
    expect(page.get_by_role("heading", level=2, name="Patient")).to_be_visible()

    # Anhörigsamtal: the relative's Deltagare step (B4).
    choose_time(page, "Anhörigsamtal (ASAM) – utan patienten", adult.personnummer)
    pick_slot(page, day, "10:30–11:00")
    expect(page.get_by_label("Anhörigs personnummer")).to_be_visible()
    assert_accessible(page, "wizard: ASAM Deltagare")
    page.get_by_label("Sms").check()
    page.get_by_role("button", name="Nästa").click()
    expect(page.locator(".field__errors").first).to_be_visible()
    expect(page.get_by_label("Anhörigs personnummer")).to_have_accessible_description(
        re.compile(".+"))
    assert_accessible(page, "wizard: ASAM Deltagare with errors")

    page.get_by_role("button", name="Börja om").click()
    expect(page.get_by_role("heading", level=2, name="Patient")).to_be_visible()

    # Gruppbesök: the other patients and the Teams link (B5).
    choose_time(page, "Gruppbesök – flera patienter via Teams", adult.personnummer)
    pick_slot(page, day, "11:00–11:30")
    expect(page.get_by_label("Länk till Teams-mötet")).to_be_visible()
    assert_accessible(page, "wizard: group visit's Deltagare")


# getUserMedia as it fails when the person says no, or when there is no camera.
REFUSE_MEDIA = """
navigator.mediaDevices.getUserMedia = () =>
  Promise.reject(new DOMException("refused in the test", "%s"));
"""


def test_identify_and_device_check_have_no_wcag_violations(browser, live_server_url, clinician,
                                                           care_unit, assert_accessible):
    eva = PatientFactory(first_name="Eva", last_name="Lindqvist", care_units=[care_unit])
    visit = VideoVisitFactory(owner=clinician, care_unit=care_unit, patient=eva)
    patient = new_page(browser, live_server_url)
    try:
        patient.goto(f"/in/{invite(visit)}/")
        patient.get_by_role("link", name="Fortsätt till legitimering").click()
        expect(patient.get_by_role("heading", level=1)).to_have_text("Legitimera dig")
        assert_accessible(patient, "e-ID page")
        patient.get_by_role("button", name="Legitimera med BankID").click()
        expect(patient.get_by_role("img", name="QR-kod för BankID")).to_be_visible()
        # BankID's message is polled; the status a screen reader hears survives each poll.
        # Its "Starta BankID-appen." is the instruction above the code, said once.
        expect(patient.get_by_text("Starta BankID-appen", exact=False)).to_have_count(1)
        status = patient.get_by_role("status")
        expect(status).to_be_attached()
        status.evaluate("element => { window.announcer = element; }")
        patient.wait_for_timeout(2500)
        assert status.evaluate("element => element === window.announcer")
        assert_accessible(patient, "e-ID page with QR code")
        patient.get_by_role("button", name="Identifiera som någon annan").click()
        expect(patient.get_by_role("alert")).to_be_visible()
        assert_accessible(patient, "e-ID page, someone else identified")

        patient.get_by_role("button", name="Legitimera med BankID").click()
        patient.get_by_role("button", name="Identifiera som Eva Lindqvist").click()
        expect(patient.get_by_role("heading", level=1)).to_have_text("Testa utrustning")
        expect(patient.locator("#device-status")).to_have_text("Kameran och mikrofonen fungerar.")
        expect(patient.get_by_label("Kamera", exact=True).locator("option")).not_to_have_count(0)
        # The camera's picture really shows in the preview.
        # Polled from here: wait_for_function's own polling evaluates a string, which
        # the page's CSP rightly refuses.
        for _ in range(100):
            if patient.evaluate("document.getElementById('device-preview').videoWidth") > 0:
                break
            patient.wait_for_timeout(100)
        else:
            raise AssertionError("the camera's picture never reached the preview")
        assert_accessible(patient, "device check with the camera's picture")
    finally:
        patient.context.close()

    refusals = [
        ("NotAllowedError", "har inte fått använda kameran", "Andra kan inte se eller höra dig"),
        ("NotFoundError", "Ingen kamera eller mikrofon hittades", "Du kan se och höra de andra"),
    ]
    for error, on_check, in_room in refusals:
        guest = new_page(browser, live_server_url)
        guest.context.add_init_script(REFUSE_MEDIA % error)
        try:
            token = invite(visit, Participant.Kind.INTERPRETER, first_name="Tolk")
            guest.goto(f"/in/{token}/")
            guest.get_by_role("link", name="Fortsätt till test av utrustning").click()
            expect(guest.locator("#device-status")).to_contain_text(on_check)
            assert_accessible(guest, f"device check, {error}")
            guest.get_by_role("link", name="Gå till väntrummet").click()
            expect(guest.locator("[data-room-status]")).to_contain_text(in_room)
            assert_accessible(guest, f"waiting room, {error}")
        finally:
            close_rooms(guest)


def test_waiting_room_and_live_room_have_no_wcag_violations(browser, live_server_url, clinician,
                                                            care_unit, assert_accessible):
    eva = PatientFactory(first_name="Eva", last_name="Lindqvist", care_units=[care_unit])
    visit = VideoVisitFactory(owner=clinician, care_unit=care_unit, patient=eva,
                              state=VideoVisit.State.STARTED, notes="Anteckning")
    patient = new_page(browser, live_server_url)
    staff = new_page(browser, live_server_url)
    late = new_page(browser, live_server_url)
    try:
        identify(patient, invite(visit), as_="Identifiera som Eva Lindqvist")
        expect(patient.get_by_role("heading", level=1)).to_have_text("Testa utrustning")
        patient.get_by_role("link", name="Gå till väntrummet").click()
        expect(patient.get_by_role("heading", level=1)).to_have_text("Väntrum")
        status = patient.locator("[data-room-status]")
        expect(status).to_have_text("Vårdpersonalen släpper in dig snart.")
        assert_accessible(patient, "waiting room")

        log_in(staff, "alice")
        staff.goto(f"/besok/{visit.pk}/")
        expect(staff.get_by_role("region", name="I videorummet")).to_contain_text("väntar")
        assert_accessible(staff, "visit page with someone waiting")
        staff.get_by_role("button", name="Starta videomöte").click()
        # Focus goes on to the next action rather than back to the top of the page.
        expect(staff.get_by_role("button", name="Avsluta videomöte")).to_be_focused()
        expect(status).to_have_text("Du är med i videomötet.")
        expect(patient.get_by_role("heading", level=1)).to_have_text("Videomöte")
        expect(patient).to_have_title(re.compile("^Videomöte"))
        wait_for_video(patient)
        wait_for_video(staff)
        assert_accessible(patient, "live room, patient")
        assert_accessible(staff, "live room, staff")
        # Someone late waits to be let in: the list with Släpp in and Neka (R2).
        late.goto(f"/in/{invite(visit, Participant.Kind.INTERPRETER, first_name='Tolk')}/")
        late.goto("/mote/rum/")
        expect(late.locator("[data-room-status]")).to_have_text(
            "Vårdpersonalen släpper in dig snart.")
        assert_accessible(late, "waiting room while the meeting is live")
        expect(staff.get_by_role("region", name="I videorummet")).to_contain_text(
            "Väntar: Tolk Digital, Tolk")
        assert_accessible(staff, "live room, staff, someone waiting to be let in")
        staff.get_by_role("button", name="Släpp in Tolk Digital").click()
        expect(staff.locator("#room-admission").get_by_role("status")).to_be_focused()
        expect(late.locator("[data-room-status]")).to_have_text("Du är med i videomötet.")
        assert_accessible(staff, "live room, staff, someone let in")
        staff.get_by_role("link", name="Redigera deltagare").click()
        expect(staff.get_by_role("button", name="Lägg till och skicka länk")).to_be_visible()
        expect(staff.get_by_role("region", name="Videomöte")).to_be_visible()
        assert_accessible(staff, "live room, staff, participants editor open")

        staff.get_by_role("button", name="Avsluta videomöte").click()
        question = staff.get_by_role("alertdialog", name="Vill du avsluta videomötet?")
        expect(question.get_by_role("heading")).to_be_focused()
        assert_accessible(staff, "question before ending the meeting")
        question.get_by_role("button", name="Avsluta videomötet").click()
        expect(status).to_have_text("Videomötet är avslutat. Du kan stänga sidan.")
        expect(patient.get_by_role("heading", level=1)).to_have_text("Videomötet är avslutat")
        assert_accessible(patient, "ended meeting, patient")
        expect(staff.locator("#visit-state")).to_have_text("Videomöte avslutat")
        assert_accessible(staff, "ended meeting, staff")
        staff.get_by_role("button", name="Avsluta besök").click()
        expect(staff.get_by_role("alertdialog")).to_be_visible()
        assert_accessible(staff, "journaled question")
        staff.get_by_role("button", name="Inte än – avsluta besök").click()
        expect(staff.locator("#visit-state")).to_have_text("Avslutad")
        assert_accessible(staff, "finished visit")
    finally:
        close_rooms(patient, staff, late)


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """Static files as collectstatic leaves them for a server without DEBUG."""
    root = tmp_path_factory.mktemp("static")
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                   cwd=ROOT, check=True, env=os.environ | production_env(root))
    return root


def production_env(static_root) -> dict:
    return {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "error-pages-test-only",
            "DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_STATIC_ROOT": str(static_root)}


def test_error_pages_have_no_wcag_violations(browser, tmp_path, collected_static, clinician,
                                             outsider, care_unit, assert_accessible):
    """403, 404, CSRF failure and 500 as a server without DEBUG answers them."""
    visit = VideoVisitFactory(owner=clinician, care_unit=care_unit)
    env = production_env(collected_static)
    with running_daphne(tmp_path / "daphne.log", env=env) as url:
        context = browser.new_context(base_url=url, timezone_id="Europe/Stockholm")
        page = context.new_page()
        try:
            response = page.goto("/finns-inte/")
            assert response.status == 404
            expect(page.get_by_role("heading", level=1)).to_have_text("Sidan finns inte")
            assert_accessible(page, "404, not logged in")

            page.goto("/logga-in/")
            context.clear_cookies()  # as when the form stood open past the session
            page.get_by_label("Användarnamn").fill(outsider.username)
            page.get_by_label("Lösenord").fill(PASSWORD)
            with page.expect_response(lambda r: r.request.method == "POST") as answer:
                page.get_by_role("button", name="Logga in").click()
            assert answer.value.status == 403
            expect(page.get_by_role("heading", level=1)).to_have_text("Sidan har gått ut")
            assert_accessible(page, "CSRF failure")

            page.goto("/logga-in/")
            page.get_by_label("Användarnamn").fill(outsider.username)
            page.get_by_label("Lösenord").fill(PASSWORD)
            page.get_by_role("button", name="Logga in").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("Idag")
            response = page.goto(f"/besok/{visit.pk}/")
            assert response.status == 403
            expect(page.get_by_role("heading", level=1)).to_have_text("Ingen behörighet")
            assert_accessible(page, "403")
            response = page.goto("/finns-inte/")
            assert response.status == 404
            expect(page.get_by_role("heading", level=1)).to_have_text("Sidan finns inte")
            assert_accessible(page, "404, logged in")
        finally:
            context.close()

    # A database without our tables: the join page's first query fails.
    empty = settings.DATABASES["default"]["NAME"] + "_without_tables"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{empty}"')
        cursor.execute(f'CREATE DATABASE "{empty}"')
    try:
        broken = env | {"DATABASE_URL": database_url().rsplit("/", 1)[0] + "/" + empty}
        with running_daphne(tmp_path / "daphne-broken.log", env=broken) as url:
            context = browser.new_context(base_url=url, timezone_id="Europe/Stockholm")
            page = context.new_page()
            try:
                response = page.goto("/in/" + "x" * 43 + "/")
                assert response.status == 500
                expect(page.get_by_role("heading", level=1)).to_have_text("Något gick fel")
                assert_accessible(page, "500")
            finally:
                context.close()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)')
