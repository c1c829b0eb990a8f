"""Dates and times are typed ÅÅÅÅ-MM-DD and TT:MM (24 h) whatever the browser's language.

An <input type="date"> or "time" shows the browser's locale format (MM/DD/YYYY and 12 h
in an American browser), so every date and time field is a text box that shows the
Swedish format and says it, and the server takes that format and no other.
"""

import datetime
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from bookings.services import booking_create
from tests.bookings.conftest import adult, at, day, schedule  # noqa: F401
from tests.patients.factories import PatientFactory
from tests.visits.factories import VideoVisitFactory
from videovisit.forms import DateField, TimeField
from visits.models import VideoVisit

HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize(("typed", "value"), [
    ("2026-03-14", datetime.date(2026, 3, 14)), (" 2028-02-29 ", datetime.date(2028, 2, 29)),
])
def test_a_date_is_taken_as_aaaa_mm_dd(typed, value):
    assert DateField().clean(typed) == value


@pytest.mark.parametrize("typed", ["03/14/2026", "14/03/2026", "14.3.2026", "2026-3-14",
                                   "20260314", "March 14, 2026", "26-03-14"])
def test_any_other_way_of_writing_a_date_is_refused_saying_how(typed):
    with pytest.raises(ValidationError) as error:
        DateField().clean(typed)
    assert error.value.messages == ["Skriv datumet som ÅÅÅÅ-MM-DD, t.ex. 2026-03-14."]


@pytest.mark.parametrize("typed", ["2026-02-30", "2026-13-01", "2027-02-29"])
def test_a_date_that_does_not_exist_is_said_so(typed):
    with pytest.raises(ValidationError) as error:
        DateField().clean(typed)
    assert error.value.messages == ["Det datumet finns inte. Kontrollera månad och dag."]


@pytest.mark.parametrize(("typed", "value"), [
    ("09:30", datetime.time(9, 30)), ("00:00", datetime.time(0)),
    ("23:59", datetime.time(23, 59)), ("13:05", datetime.time(13, 5)),
])
def test_a_time_is_taken_as_tt_mm_on_the_24_hour_clock(typed, value):
    assert TimeField().clean(typed) == value


@pytest.mark.parametrize("typed", ["1:30 PM", "01:30 PM", "9:30", "09.30", "0930",
                                   "09:30:00", "kl 9"])
def test_any_other_way_of_writing_a_time_is_refused_saying_how(typed):
    with pytest.raises(ValidationError) as error:
        TimeField().clean(typed)
    assert error.value.messages == ["Skriv tiden som TT:MM, t.ex. 09:30 eller 14:00."]


@pytest.mark.parametrize("typed", ["24:00", "12:60", "99:99"])
def test_a_time_that_does_not_exist_is_said_so(typed):
    with pytest.raises(ValidationError) as error:
        TimeField().clean(typed)
    assert "Det klockslaget finns inte" in error.value.messages[0]


class Inputs(HTMLParser):
    """Each <input> of a page by name, and the text of each element by id."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.inputs: dict[str, dict] = {}
        self.text_of: dict[str, str] = {}
        self.open: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            self.inputs[attrs.get("name")] = attrs
            return
        self.open.append(attrs.get("id"))
        if attrs.get("id"):
            self.text_of[attrs["id"]] = ""

    def handle_endtag(self, tag):
        if tag != "input" and self.open:
            self.open.pop()

    def handle_data(self, data):
        for element in self.open:
            if element:
                self.text_of[element] += data


def assert_swedish_format(html: str, name: str, hint: str, value: str = "") -> None:
    page = Inputs(html)
    field = page.inputs[name]
    assert field.get("type") == "text", field
    assert field.get("inputmode") == "numeric" and field.get("placeholder") == hint
    assert field.get("pattern") in {r"\d{4}-\d{2}-\d{2}", r"\d{2}:\d{2}"}
    # The hint is read with the field: a screen reader hears the format too.
    described = [page.text_of.get(i, "") for i in field.get("aria-describedby", "").split()]
    assert any(hint in text for text in described), (field, described)
    if value:
        assert field.get("value") == value


@pytest.mark.django_db
def test_every_date_and_time_field_shows_the_swedish_format(client, alice, care_unit, ref,
                                                            schedule, adult, day):  # noqa: F811
    # Idag's day filter.
    start = client.get(reverse("visits:start")).content.decode()
    assert_swedish_format(start, "dag", "ÅÅÅÅ-MM-DD", timezone.localdate().isoformat())
    # Nytt besök.
    new = client.get(reverse("visits:new")).content.decode()
    assert_swedish_format(new, "day", "ÅÅÅÅ-MM-DD", timezone.localdate().isoformat())
    assert_swedish_format(new, "start", "TT:MM")
    # Flytta on the visit page, with the visit's time.
    visit = VideoVisitFactory(owner=alice, care_unit=care_unit, patient=adult,
                              starts_at=at(day, 14, 5), ends_at=at(day, 14, 35))
    editor = client.get(reverse("visits:reschedule", args=[visit.pk]), {"redigera": 1},
                        headers=HTMX).content.decode()
    assert_swedish_format(editor, "day", "ÅÅÅÅ-MM-DD", day.isoformat())
    assert_swedish_format(editor, "start", "TT:MM", "14:05")
    # The booking wizard's Behandlare och tid, and Flytta on the booking page.
    client.post(reverse("bookings:step", args=["patient"]),
                {"personnummer": adult.personnummer})
    client.post(reverse("bookings:step", args=["typ"]), {"kind": "single"})
    wizard = client.get(reverse("bookings:step", args=["tid"])).content.decode()
    assert_swedish_format(wizard, "day", "ÅÅÅÅ-MM-DD", timezone.localdate().isoformat())
    booking = booking_create(
        kind="single", care_unit=care_unit, owner=alice, patient=adult, starts_at=at(day, 9),
        ends_at=at(day, 9, 30), contact_type=ref.divl, schedule_activity=ref.video_activity,
        kallelse_template=ref.adult, kallelse_delivery="print", created_by=alice)
    page = client.get(reverse("bookings:detail", args=[booking.pk])).content.decode()
    assert_swedish_format(page, "day", "ÅÅÅÅ-MM-DD", day.isoformat())


@pytest.mark.django_db
def test_in_english_the_hint_is_english_and_the_format_the_same(client, alice):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("visits:new")).content.decode()
    assert_swedish_format(page, "day", "YYYY-MM-DD", timezone.localdate().isoformat())
    assert_swedish_format(page, "start", "HH:MM")


@pytest.mark.django_db
@pytest.mark.parametrize(("date", "time", "says"), [
    ("03/14/2030", "13:30", "Skriv datumet som ÅÅÅÅ-MM-DD"),
    ("2030-03-14", "1:30 PM", "Skriv tiden som TT:MM"),
    ("2030-02-30", "13:30", "Det datumet finns inte"),
])
def test_nytt_besok_says_how_to_write_the_date_and_time_and_keeps_them(client, alice, care_unit,
                                                                       date, time, says):
    PatientFactory(personnummer="198503129820", care_units=[care_unit])
    response = client.post(reverse("visits:new"), {
        "personnummer": "19850312-9820", "day": date, "start": time, "minutes": "30"},
        headers=HTMX)
    content = response.content.decode()
    assert response.status_code == 422
    assert says in content and f'value="{date}"' in content and f'value="{time}"' in content
    assert not VideoVisit.objects.exists()


@pytest.mark.django_db
def test_idag_says_when_the_day_is_no_date_and_shows_today(client, alice):
    page = client.get(reverse("visits:start"), {"dag": "12/24/2026"}).content.decode()
    assert "Skriv datumet som ÅÅÅÅ-MM-DD" in page and 'value="12/24/2026"' in page
    field = Inputs(page).inputs["dag"]
    assert "id_dag_error" in field["aria-describedby"].split()
    assert "<h1>Idag <span" in page  # the list is of today
