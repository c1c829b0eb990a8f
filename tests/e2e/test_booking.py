"""Boka videobesök in Chromium: an adult and a child under 13, end to end (B1, B2, P5)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from bookings.models import Booking
from integrations.models import OutboxMessage
from tests.bookings.conftest import ADULT_MOBILE, adult, child, day, schedule  # noqa: F401
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def book_up_to_details(page, personnummer: str, on, time: str, taken: str = "") -> None:
    page.get_by_role("link", name="Boka videobesök").click()
    expect(page.get_by_role("heading", level=2, name="Patient")).to_be_visible()
    field = page.get_by_label("Personnummer")
    field.fill(personnummer)
    field.press("Enter")
    expect(page.get_by_role("heading", level=2, name="Typ av besök")).to_be_visible()
    page.get_by_label("Videobesök – en behandlare").check()
    page.get_by_role("button", name="Nästa").click()
    expect(page.get_by_role("heading", level=2, name="Behandlare och tid")).to_be_visible()
    page.get_by_label("Dag").fill(on.isoformat())
    page.get_by_role("button", name="Visa lediga tider").click()
    expect(page.get_by_role("group", name="Ledig tid")).to_be_visible()
    page.get_by_label(time).check()
    if taken:
        expect(page.get_by_label(taken)).to_have_count(0)  # B6: taken times are not offered
    page.get_by_role("button", name="Nästa").click()


# The bookings tests' fixtures, imported: ruff reads them as redefined names.
def test_an_adult_and_a_child_are_booked_end_to_end(page, clinician, ref, schedule, adult,  # noqa: F811
                                                     child, day):  # noqa: F811
    log_in(page, "alice")
    summary = page.locator(".wizard__summary")

    # An adult: DiVL preset, the adult kallelse preselected, saved to 1177.
    book_up_to_details(page, adult.personnummer, day, "09:30–10:00")
    expect(page.get_by_role("heading", level=2, name="Uppgifter")).to_be_visible()
    expect(page.get_by_label("Kontakttyp")).to_have_value(str(ref.divl.pk))
    page.get_by_role("button", name="Nästa").click()
    expect(page.get_by_role("heading", level=2, name="Kallelse")).to_be_visible()
    expect(page.get_by_label("Videobesök – vuxen")).to_be_checked()
    page.get_by_role("button", name="Nästa").click()
    expect(page.locator(".field__errors")).to_contain_text("Välj Skriv ut eller Spara")  # B2
    page.get_by_label("Spara – kallelsen går till patientens inkorg på 1177.se").check()
    page.get_by_role("button", name="Nästa").click()
    expect(page.get_by_role("heading", level=2, name="Bekräfta")).to_be_visible()
    expect(summary).to_contain_text("Eva Lindqvist")
    expect(summary).to_contain_text("09.30–10.00")
    # Tillbaka keeps what was chosen.
    page.get_by_role("button", name="Tillbaka").click()
    expect(page.get_by_role("heading", level=2, name="Kallelse")).to_be_visible()
    expect(page.get_by_label("Spara – kallelsen går till patientens inkorg på 1177.se")) \
        .to_be_checked()
    page.get_by_role("button", name="Nästa").click()
    expect(page.get_by_role("heading", level=2, name="Bekräfta")).to_be_visible()
    page.get_by_role("button", name="Boka").click()
    expect(page.get_by_role("status")).to_contain_text("Bokningen är klar")
    booking = Booking.objects.get(patient=adult)
    assert booking.video_visit.participants.get().kind == "patient"
    assert OutboxMessage.objects.filter(channel="portal", recipient=adult.personnummer).exists()

    # A child under 13: primary contact and one agent, the child kallelse, printed.
    book_up_to_details(page, child.personnummer, day, "10:00–10:30", taken="09:30–10:00")
    expect(page.get_by_role("heading", level=2, name="Deltagare")).to_be_visible()
    page.get_by_role("button", name="Nästa").click()
    expect(page.locator(".field__errors").first).to_contain_text("vårdnadshavare")
    page.get_by_label("Primär kontakt").select_option(label="Johan Berg")
    page.get_by_label("Ombud").select_option(label="Karin Berg")
    page.get_by_role("button", name="Nästa").click()
    expect(page.get_by_role("heading", level=2, name="Uppgifter")).to_be_visible()
    page.get_by_role("button", name="Nästa").click()
    expect(page.get_by_role("heading", level=2, name="Kallelse")).to_be_visible()
    expect(page.get_by_label("Videobesök – barn")).to_be_checked()  # by age on the day (P7)
    page.get_by_label("Skriv ut – kallelsen skickas med post").check()
    page.get_by_role("button", name="Nästa").click()
    expect(page.get_by_role("heading", level=2, name="Bekräfta")).to_be_visible()
    expect(summary).to_contain_text("Karin")
    page.get_by_role("button", name="Boka").click()
    expect(page.get_by_role("status")).to_contain_text("Bokningen är klar")
    page.get_by_role("link", name="Skriv ut kallelse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kallelse till videobesök")
    expect(page.locator(".kallelse")).to_contain_text("Barnets ombud")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Skriv ut")).to_be_hidden()

    visit = Booking.objects.get(patient=child).video_visit
    assert visit.participants.get().kind == "agent"
    # Both visits are on alice's day (V1).
    page.emulate_media(media="screen")
    page.goto(reverse("visits:start") + f"?dag={day.isoformat()}")
    rows = page.locator("#visit-rows")
    expect(rows).to_contain_text("Eva Lindqvist")
    expect(rows).to_contain_text("Lo Berg")


def choose_time(page, kind_label: str, personnummer: str) -> None:
    page.goto(reverse("bookings:start"))
    field = page.get_by_label("Personnummer")
    field.fill(personnummer)
    field.press("Enter")
    expect(page.get_by_role("heading", level=2, name="Typ av besök")).to_be_visible()
    page.get_by_label(kind_label).check()
    page.get_by_role("button", name="Nästa").click()
    expect(page.get_by_role("heading", level=2, name="Behandlare och tid")).to_be_visible()


def pick_slot(page, on, time: str) -> None:
    page.get_by_label("Dag").fill(on.isoformat())
    page.get_by_role("button", name="Visa lediga tider").click()
    expect(page.get_by_role("group", name="Ledig tid")).to_be_visible()
    page.get_by_label(time).check()
    page.get_by_role("button", name="Nästa").click()


def finish(page, *, kallelse: str = "") -> None:
    expect(page.get_by_role("heading", level=2, name="Uppgifter")).to_be_visible()
    page.get_by_role("button", name="Nästa").click()
    if kallelse:
        expect(page.get_by_role("heading", level=2, name="Kallelse")).to_be_visible()
        page.get_by_label(kallelse).check()
        page.get_by_role("button", name="Nästa").click()
    expect(page.get_by_role("heading", level=2, name="Bekräfta")).to_be_visible()
    page.get_by_role("button", name="Boka").click()
    expect(page.get_by_role("status")).to_contain_text("Bokningen är klar")


def test_a_team_visit_an_anhorigsamtal_and_a_group_visit(page, clinician, colleague_same_unit,  # noqa: F811
                                                        ref, schedule, adult, child, day):  # noqa: F811
    log_in(page, "alice")

    # Teambesök with bob as Medverkan teambesök (B3).
    choose_time(page, "Teambesök – flera behandlare", adult.personnummer)
    page.get_by_label("Bob Sjöberg (Psykolog)").check()
    pick_slot(page, day, "09:00–09:30")
    expect(page.get_by_label("Schemaaktivitet för medverkande")).to_have_value(
        str(ref.medverkan.pk))
    finish(page, kallelse="Spara – kallelsen går till patientens inkorg på 1177.se")

    # Anhörigsamtal on Margareta Ek, the link by SMS, nothing to the patient (B4).
    choose_time(page, "Anhörigsamtal (ASAM) – utan patienten", adult.personnummer)
    pick_slot(page, day, "10:00–10:30")
    expect(page.get_by_role("heading", level=2, name="Deltagare")).to_be_visible()
    page.get_by_label("Anhörigs personnummer").fill("19581102-9882")
    page.get_by_label("Sms").check()
    page.get_by_label("Anhörigs mobilnummer").fill("070-174 06 10")
    page.get_by_role("button", name="Nästa").click()
    expect(page.locator(".wizard__summary")).to_contain_text("Margareta Ek")
    expect(page.get_by_label("Visa webb (visas för patienten på 1177.se)")).to_have_count(0)
    finish(page)

    # Gruppbesök in Teams with Eva and Lo (B5).
    choose_time(page, "Gruppbesök – flera patienter via Teams", adult.personnummer)
    pick_slot(page, day, "11:00–11:30")
    page.get_by_label("Övriga patienters personnummer").fill(child.personnummer)
    page.get_by_label("Länk till Teams-mötet").fill(
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting_demo%40thread.v2/0")
    page.get_by_role("button", name="Nästa").click()
    finish(page)

    team = Booking.objects.get(kind="team_owner")
    assert set(team.video_visit.staff.all()) == {clinician, colleague_same_unit}
    relative_call = Booking.objects.get(kind="relative_call")
    assert relative_call.video_visit.patient.personnummer == "195811029882"
    assert not OutboxMessage.objects.filter(recipient=ADULT_MOBILE,
                                            body__contains="10.00").exists()
    portal = OutboxMessage.objects.filter(channel="portal", subject="Länk till ditt gruppbesök")
    assert {m.recipient for m in portal} == {adult.personnummer, child.personnummer}

    # alice's day has the team visit and the relative call; bob's has the team visit (V1).
    page.goto(reverse("visits:start") + f"?dag={day.isoformat()}")
    rows = page.locator("#visit-rows")
    expect(rows).to_contain_text("Eva Lindqvist")
    expect(rows).to_contain_text("Margareta Ek")
    page.get_by_role("button", name="Logga ut").click()
    log_in(page, "bob")
    page.goto(reverse("visits:start") + f"?dag={day.isoformat()}")
    expect(page.locator("#visit-rows")).to_contain_text("Eva Lindqvist")
