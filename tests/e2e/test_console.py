"""The clinician's day in Chromium: Idag → Ta emot → Starta besök → … → Avsluta (V1–V5),
and a visit created with its guests in Nytt besök (V4)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guests.models import InterpreterAgency
from tests.e2e.conftest import close_rooms, log_in
from tests.patients.factories import PatientFactory
from tests.visits.factories import VideoVisitFactory, at
from visits.models import VideoVisit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def visits(clinician, care_unit):
    today = timezone.localdate()
    eva = PatientFactory(first_name="Eva", last_name="Lindqvist", care_units=[care_unit])
    nils = PatientFactory(first_name="Nils", last_name="Ek", care_units=[care_unit])
    return {
        "today": VideoVisitFactory(owner=clinician, care_unit=care_unit, patient=eva,
                                   starts_at=at(today, 9)),
        "tomorrow": VideoVisitFactory(owner=clinician, care_unit=care_unit, patient=nils,
                                      starts_at=at(today + datetime.timedelta(days=1), 13)),
    }


def test_a_clinician_runs_a_visit_from_the_start_page_to_journaled(page, clinician, visits):
    log_in(page, "alice")
    rows = page.locator("#visit-rows")
    expect(rows).to_contain_text("Eva Lindqvist")
    expect(rows).not_to_contain_text("Nils Ek")

    page.get_by_role("link", name="Nästa dag").click()
    expect(page.locator("#visit-rows")).to_contain_text("Nils Ek")
    assert "dag=" in page.url
    page.get_by_role("link", name="Föregående dag").click()
    expect(page.locator("#visit-rows")).to_contain_text("Eva Lindqvist")

    page.get_by_role("button", name="Ta emot 09:00").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Eva Lindqvist")
    state = page.locator("#visit-state")
    expect(state).to_have_text("Mottagen")
    page.get_by_role("button", name="Starta besök").click()
    expect(state).to_have_text("Påbörjad")
    page.get_by_role("button", name="Starta videomöte").click()
    expect(state).to_have_text("Videomöte pågår")
    page.get_by_role("button", name="Avsluta videomöte").click()
    # Asked first; the answer ends it (V2).
    page.get_by_role("alertdialog", name="Vill du avsluta videomötet?").get_by_role(
        "button", name="Avsluta videomötet").click()
    expect(state).to_have_text("Videomöte avslutat")
    expect(page.get_by_role("alertdialog")).to_have_count(0)

    page.get_by_role("textbox", name="Anteckningar").fill("Ordinerat vila i en vecka.")
    page.get_by_role("button", name="Spara anteckningar").click()
    expect(page.get_by_role("status").filter(has_text="sparade")).to_be_visible()
    page.get_by_role("button", name="Avsluta besök").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("journalförda i VAS?")
    page.get_by_role("button", name="Inte än – avsluta besök").click()
    expect(state).to_have_text("Avslutad")

    page.get_by_role("link", name="Idag").first.click()
    unjournaled = page.get_by_role("region", name="Anteckningar som inte är journalförda i VAS")
    expect(unjournaled).to_contain_text("Eva Lindqvist")
    unjournaled.get_by_role("button", name="Journalfört i VAS").click()
    expect(page.get_by_role("region", name="Dina videobesök")).to_contain_text("Avslutad")
    expect(unjournaled).to_have_count(0)
    visit = VideoVisit.objects.get(pk=visits["today"].pk)
    assert visit.state == VideoVisit.State.FINISHED and visit.notes_journaled_at is not None


def test_a_colleagues_start_page_updates_live_when_the_visit_moves(browser, live_server_url,
                                                                    clinician,
                                                                    colleague_same_unit,
                                                                    visits):  # R1
    visit = visits["today"]
    visit.staff.add(colleague_same_unit)
    contexts = [browser.new_context(base_url=live_server_url) for _ in range(2)]
    alice, bob = (c.new_page() for c in contexts)
    try:
        log_in(alice, "alice")
        log_in(bob, "bob")
        row = bob.get_by_role("row", name="Eva Lindqvist")
        expect(row).to_contain_text("Bokad")
        bob.wait_for_timeout(500)  # let bob's socket connect
        alice.get_by_role("button", name="Ta emot 09:00").click()
        expect(alice.locator("#visit-state")).to_have_text("Mottagen")
        # No reload on bob's side: the socket told his page to re-fetch its rows.
        expect(row).to_contain_text("Mottagen", timeout=5000)
    finally:
        for context in contexts:
            context.close()


def test_a_colleagues_visit_page_updates_live_as_the_owners_does(browser, live_server_url,
                                                                  clinician,
                                                                  colleague_same_unit,
                                                                  visits):  # R1
    """bob works at the unit but is neither the visit's owner nor its staff."""
    InterpreterAgency.objects.create(name="Digital Tolk", first_name="Tolk", last_name="digital",
                                     email="videolank@digitaltolk.se")
    visit = visits["today"]
    contexts = [browser.new_context(base_url=live_server_url) for _ in range(2)]
    alice, bob = (c.new_page() for c in contexts)
    try:
        for page, username in ((alice, "alice"), (bob, "bob")):
            log_in(page, username)
            page.goto(f"/besok/{visit.pk}/")
            expect(page.locator("body")).to_have_attribute("data-live-socket", "open")
        bob_state = bob.locator("#visit-state")
        expect(bob_state).to_have_text("Bokad")

        alice.get_by_role("button", name="Ta emot").click()
        expect(alice.locator("#visit-state")).to_have_text("Mottagen")
        expect(bob_state).to_have_text("Mottagen")  # no reload on bob's side

        alice.get_by_role("link", name="Redigera deltagare").click()
        alice.get_by_role("link", name="Bjud in tolk (Digital Tolk)").click()
        expect(alice.get_by_label("Förnamn")).to_have_value("Tolk")
        alice.get_by_role("button", name="Lägg till och visa länken").click()
        expect(alice.locator(".link-box")).to_contain_text("Tolk digital")
        expect(bob.locator("#participants")).to_contain_text("Tolk digital")

        alice.get_by_role("button", name="Starta besök").click()
        expect(bob_state).to_have_text("Påbörjad")
        alice.get_by_role("button", name="Starta videomöte").click()
        expect(bob_state).to_have_text("Videomöte pågår")
        # Both pages open the room while the meeting is live; each sees the other there.
        expect(bob.locator("#room-presence")).to_contain_text("Alice Lund")
        expect(alice.locator("#room-presence")).to_contain_text("Bob Sjöberg")
    finally:
        close_rooms(alice, bob)


def test_nytt_besok_invites_guests_with_the_visit(page, clinician, care_unit,
                                                 assert_accessible):  # V4, G3
    InterpreterAgency.objects.create(name="Digital Tolk", first_name="Tolk", last_name="digital",
                                     email="videolank@digitaltolk.se")
    PatientFactory(personnummer="198503129820", first_name="Eva", last_name="Lindqvist",
                   care_units=[care_unit])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, "alice")
    page.get_by_role("link", name="Nytt besök utan bokning").click()
    page.get_by_label("Patientens personnummer").fill("19850312-9820")
    page.get_by_label("Datum").fill(tomorrow.isoformat())
    page.get_by_label("Starttid").fill("13:30")

    page.get_by_role("button", name="Lägg till gäst").click()
    relative = page.get_by_role("group", name="Gäst 1", exact=True)
    expect(relative.get_by_label("Roll")).to_be_focused()  # on the new row
    relative.get_by_label("Roll").select_option(label="Närstående eller vårdnadshavare")
    relative.get_by_label("Förnamn").fill("Margareta")
    relative.get_by_label("Efternamn").fill("Ek")
    page.get_by_role("button", name="Bjud in tolk (Digital Tolk)").click()
    interpreter = page.get_by_role("group", name="Gäst 2", exact=True)
    expect(interpreter.get_by_label("Förnamn")).to_have_value("Tolk")
    expect(interpreter.get_by_role("radio", name="Skickas inte (länken kopieras)")).to_be_checked()
    expect(relative.get_by_label("Förnamn")).to_have_value("Margareta")  # typed, kept

    # The relative's missing number is told at its field, and nothing is created;
    # Enter in another field also takes focus to the field with the error.
    relative.get_by_label("Efternamn").press("Enter")
    mobile = relative.get_by_label("Mobilnummer")
    expect(relative).to_contain_text("Ange ett mobilnummer: länken skickas som sms.")
    expect(mobile).to_be_focused()
    assert not VideoVisit.objects.exists()
    mobile.fill("070-174 06 08")
    # Enter means "Skapa och skicka inbjudningar", not a guest button before it.
    mobile.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Eva Lindqvist")
    participants = page.locator("#participants")
    expect(participants).to_contain_text("Besöket är skapat och inbjudningarna skickade.")
    expect(participants.locator(".participant")).to_have_count(3)
    expect(participants.locator(".participant").nth(1)).to_contain_text("Margareta Ek")
    expect(participants.locator(".participant").nth(2)).to_contain_text("Tolk digital")
    box = participants.locator(".link-box").filter(has_text="Tolk digital")
    box.get_by_role("button", name="Kopiera inbjudningslänk").click()
    expect(box).to_contain_text("Länken är kopierad.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == box.get_by_role("textbox").input_value() and "/in/" in copied
    assert_accessible(page, "visit page after Nytt besök")
    visit = VideoVisit.objects.get()
    assert [p.kind for p in visit.participants.all()] == ["patient", "relative", "interpreter"]


def test_no_page_asks_for_something_that_is_not_there(page, clinician, care_unit, visits):
    """The browser's console stays clean: no 404 for an icon or a file on any page."""
    from guests.services import participant_add
    from tests.e2e.conftest import off_loop

    missing, errors, icons = [], [], []
    page.on("response", lambda r: missing.append(f"{r.status} {r.url}")
            if r.status >= 400 else None)
    page.on("request", lambda r: icons.append(r.url) if "favicon" in r.url else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _participant, token = off_loop(participant_add, visit=visits["tomorrow"], kind="relative",
                                   first_name="Margareta", last_name="Ek", channel="none")
    page.goto(f"/in/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbjudan till videomöte")
    page.wait_for_load_state("networkidle")
    log_in(page, "alice")
    for url in ["/", f"/besok/{visits['today'].pk}/", "/patienter/sok/", "/boka/",
                f"/patienter/{visits['today'].patient.pk}/besok/"]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
    assert not missing and not errors, (missing, errors)
    assert icons, "the pages name their icon"
