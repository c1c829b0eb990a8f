"""An American Chromium (en-US: MM/DD/YYYY, 12 h) types dates and times as Swedish staff
do, ÅÅÅÅ-MM-DD and TT:MM, and the visit is created at that time."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking
from tests.bookings.conftest import adult, at, day, schedule  # noqa: F401
from tests.e2e.conftest import log_in
from tests.e2e.test_booking import choose_time, finish
from visits.models import VideoVisit

pytestmark = pytest.mark.django_db(transaction=True)


def type_into(field, text: str) -> None:
    """Key by key, as a person types: a browser's own date or time input would take the
    keys as its locale's segments (MM/DD/YYYY, hh:mm AM/PM)."""
    field.click()
    field.press("Control+A")
    field.press("Backspace")
    field.press_sequentially(text)


# The bookings tests' fixtures, imported: ruff reads them as redefined names.
def test_nytt_besok_takes_the_date_and_time_as_swedes_write_them(page, clinician,  # noqa: F811
                                                                  adult, day,  # noqa: F811
                                                                  assert_accessible):
    log_in(page, "alice")
    page.get_by_role("link", name="Nytt besök utan bokning").click()
    page.get_by_label("Patientens personnummer").fill(adult.personnummer_display)
    date, time = page.get_by_label("Datum"), page.get_by_label("Starttid")
    expect(date).to_have_attribute("placeholder", "ÅÅÅÅ-MM-DD")
    expect(date).to_have_accessible_description(re.compile("ÅÅÅÅ-MM-DD"))
    expect(time).to_have_accessible_description(re.compile("TT:MM"))
    type_into(date, "30/12/2030")
    type_into(time, "2:45 PM")
    time.press("Enter")
    expect(page.locator(".field__errors").first).to_contain_text(
        "Skriv datumet som ÅÅÅÅ-MM-DD")
    expect(page.get_by_label("Starttid")).to_have_accessible_description(
        re.compile("Skriv tiden som TT:MM"))
    assert_accessible(page, "new visit with a date and a time written otherwise")
    assert not VideoVisit.objects.exists()

    type_into(page.get_by_label("Datum"), day.isoformat())
    type_into(page.get_by_label("Starttid"), "14:45")
    expect(page.get_by_label("Datum")).to_have_value(day.isoformat())
    expect(page.get_by_label("Starttid")).to_have_value("14:45")
    page.get_by_label("Starttid").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(adult.full_name)
    visit = VideoVisit.objects.get()
    assert timezone.localtime(visit.starts_at) == at(day, 14, 45)
    expect(page.locator("#visit-panel")).to_contain_text("14:45")

    # Flytta, and Idag's day filter, with a day written otherwise.
    page.get_by_role("link", name="Flytta").click()
    date = page.get_by_label("Datum")
    expect(date).to_have_value(day.isoformat())
    type_into(date, "12/30/2030")
    date.press("Enter")
    expect(page.get_by_label("Datum")).to_have_accessible_description(
        re.compile("Skriv datumet som ÅÅÅÅ-MM-DD"))
    assert_accessible(page, "Flytta with a day written otherwise")
    page.get_by_role("link", name="Idag").first.click()
    type_into(page.get_by_label("Datum"), "12/30/2030")
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_role("alert")).to_contain_text("Skriv datumet som ÅÅÅÅ-MM-DD")
    assert_accessible(page, "Idag with a day written otherwise")


def test_the_booking_wizard_takes_the_day_as_swedes_write_it(page, clinician, ref,
                                                             schedule, adult,  # noqa: F811
                                                             day):  # noqa: F811
    log_in(page, "alice")
    choose_time(page, "Videobesök – en behandlare", adult.personnummer)
    field = page.get_by_label("Dag")
    expect(field).to_have_value(timezone.localdate().isoformat())
    expect(field).to_have_accessible_description(re.compile("ÅÅÅÅ-MM-DD"))
    type_into(field, day.isoformat())
    page.get_by_role("button", name="Visa lediga tider").click()
    page.get_by_label("10:30–11:00").check()
    page.get_by_role("button", name="Nästa").click()
    finish(page, kallelse="Skriv ut – kallelsen skickas med post")
    booking = Booking.objects.get()
    assert timezone.localtime(booking.video_visit.starts_at) == at(day, 10, 30)
