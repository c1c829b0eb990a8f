"""The staff pages in English: no Swedish text left that was never marked for translation.

tests/test_locale.py sees only what is in the catalogue. This walks the staff pages of the
demo (seed_demo) with English chosen, through the language form as staff do, and reads
what a person sees or hears there: text, and the attributes a browser shows or speaks.
What comes from the data (names, units, addresses, reasons, templates that admins write)
is Swedish in any language and is left out; so is whatever is marked lang="sv".
"""

from __future__ import annotations

import datetime
import io
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking
from guests.models import InterpreterAgency
from patients.models import Patient
from visits.models import RoomPresence, VideoVisit

pytestmark = pytest.mark.django_db

OUR_APPS = ["accounts", "patients", "bookings", "visits", "guests", "integrations", "audit"]
# What the question before a destructive action posts when answered (videovisit/confirm.py).
CONFIRMED = {"bekraftat": "ja"}
HTMX = {"HX-Request": "true"}

# Letters English never has, and short words that are Swedish and not English.
SWEDISH_LETTERS = re.compile("[åäöÅÄÖ]")
SWEDISH_WORDS = {
    "alla", "andra", "att", "av", "avboka", "avbryt", "besök", "bort", "bokning", "byt",
    "dag", "det", "eller", "ej", "ett", "finns", "flytta", "för", "har", "inga", "ingen",
    "inte", "ja", "kan", "med", "mer", "namn", "nej", "nu", "ny", "nya", "nytt", "och",
    "om", "redigera", "sedan", "ska", "skicka", "skriv", "som", "spara", "starta", "tid",
    "tider", "till", "tolk", "ut", "visa", "välj",
}
WORD = re.compile(r"[^\W\d_]+")
# What a browser shows or reads out besides text; data-msg-* are the scripts' messages.
SPOKEN_ATTRIBUTES = {"aria-label", "aria-description", "title", "placeholder", "alt"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class VisibleText(HTMLParser):
    """The texts of a page that a person sees or hears, outside <script> and <style>
    and outside elements marked as another language than English."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.open: list[tuple[str, bool]] = []  # (tag, hidden from this check)

    @property
    def skipping(self) -> bool:
        return any(skip for _tag, skip in self.open)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        lang = attrs.get("lang")
        skip = tag in {"script", "style"} or (lang is not None and not lang.startswith("en"))
        if not self.skipping and not skip:
            for name, value in attrs.items():
                shown = (name in SPOKEN_ATTRIBUTES or name.startswith("data-msg-")
                         or name.startswith("data-label-") or name == "data-copied"
                         or (name == "value" and tag == "input"
                             and attrs.get("type") in {"submit", "button", "reset"}))
                if shown and value:
                    self.texts.append(value)
        if tag not in VOID:
            self.open.append((tag, skip))

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.texts.append(" ".join(data.split()))


# Stored texts that the app itself wrote in the language of the moment, not data.
NOT_DATA = {"visits.RoomPresence.role"}


def shown_data() -> list[str]:
    """Every text stored in our tables: what pages show of it is data, not interface."""
    values: set[str] = set()
    for label in OUR_APPS:
        for model in apps.get_app_config(label).get_models():
            fields = [f.attname for f in model._meta.concrete_fields
                      if isinstance(f, models.CharField | models.TextField) and not f.choices
                      and f"{model._meta.label}.{f.name}" not in NOT_DATA]
            for row in model.objects.values_list(*fields):
                values.update(" ".join(v.split()) for v in row if isinstance(v, str)
                              and len(v) > 2)
    return sorted(values, key=len, reverse=True)


def swedish_left(html: str, data: list[str]) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    found = []
    for text in parser.texts:
        rest = text
        for value in data:
            rest = rest.replace(value, " ")
        words = {word.lower() for word in WORD.findall(rest)}
        if SWEDISH_LETTERS.search(rest) or words & SWEDISH_WORDS:
            found.append(text)
    return found


def test_the_detector_finds_swedish_and_leaves_data_and_marked_swedish_alone():
    html = ('<p>Open the visit</p><button aria-label="Stäng">x</button>'
            '<p>Välj en tid</p><p>Eva Lindqvist, Storgatan 12</p>'
            '<option lang="sv">Svenska</option><p>Hämta <b>patient</b> och boka</p>'
            '<script>var s = "Hej";</script><input type="submit" value="Spara">')
    assert swedish_left(html, ["Eva Lindqvist", "Storgatan 12"]) == [
        "Stäng", "Välj en tid", "Hämta", "och boka", "Spara"]


class Pages:
    """What the physician sees, page by page, in English."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.seen: list[tuple[str, str]] = []
        self.kallelse = ""

    def add(self, name: str, response, *, status: int | tuple = (200, 422, 409)) -> str:
        statuses = status if isinstance(status, tuple) else (status,)
        assert response.status_code in statuses, (name, response.status_code)
        html = response.content.decode()
        self.seen.append((name, html))
        return html

    def get(self, name: str, url: str, **kwargs) -> str:
        return self.add(name, self.client.get(url, **kwargs), status=200)

    def post(self, name: str, url: str, data: dict, *, ok: bool = False, **kwargs) -> str:
        """`ok`: the step is meant to go through, so an error answer fails the walk."""
        return self.add(name, self.client.post(url, data, **kwargs),
                        status=200 if ok else (200, 422, 409))


@pytest.fixture
def demo(settings):
    """The demo's unit, staff, patients and today's visits (seed_demo runs with DEBUG)."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False


@pytest.fixture
def physician(client, demo) -> User:
    user = User.objects.get(username="lakare")
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return user


def next_weekday() -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def walk_search_and_patients(pages: Pages) -> None:
    search = reverse("patients:search")
    pages.get("Sök patient", search)
    for number, what in [("19850312-9820", "known patient"), ("19581102-9882", "new adult"),
                         ("20110819-9876", "15 without BankID"), ("20190101-0000", "bad"),
                         ("12121212-1212", "1212"), ("19121212-1212", "not in registry")]:
        pages.post(f"Sök patient: {what}", search, {"personnummer": number}, headers=HTMX)
    pages.post("Skapa patient: no mobile", reverse("patients:create"),
               {"personnummer": "19581102-9882", "mobile": ""}, headers=HTMX)
    for patient in Patient.objects.all():
        for tab in ["detail", "relations", "visits"]:
            pages.get(f"Patient {tab}: {patient.first_name}",
                      reverse(f"patients:{tab}", args=[patient.pk]))
    eva = Patient.objects.get(personnummer="198503129820")
    pages.post("Patient: bad mobile", reverse("patients:update-contact", args=[eva.pk]),
               {"mobile": "123", "email": ""}, headers=HTMX)
    pages.post("Patient: saved", reverse("patients:update-contact", args=[eva.pk]),
               {"mobile": "070-174 06 05", "email": ""}, headers=HTMX, ok=True)
    pages.post("Patient: refreshed", reverse("patients:refresh", args=[eva.pk]), {},
               headers=HTMX, ok=True)


def walk_visit(pages: Pages, visit: VideoVisit, name: str) -> None:
    detail = reverse("visits:detail", args=[visit.pk])
    pages.get(f"{name}: page", detail)
    edit = reverse("visits:participants", args=[visit.pk])
    pages.get(f"{name}: Redigera deltagare", edit, data={"redigera": ""}, headers=HTMX)
    agency = InterpreterAgency.objects.get()
    pages.get(f"{name}: Bjud in tolk", edit, data={"redigera": "", "tolk": agency.pk},
              headers=HTMX)
    pages.post(f"{name}: guest without contact", reverse("visits:participant-add",
                                                         args=[visit.pk]),
               {"kind": "relative", "first_name": "", "last_name": "", "channel": "sms"},
               headers=HTMX)
    pages.post(f"{name}: guest added", reverse("visits:participant-add", args=[visit.pk]),
               {"kind": "relative", "first_name": "Per", "last_name": "Ek",
                "mobile": "070-174 06 11", "channel": "sms"}, headers=HTMX, ok=True)
    reschedule = reverse("visits:reschedule", args=[visit.pk])
    pages.get(f"{name}: Flytta", reschedule, data={"redigera": ""}, headers=HTMX)
    pages.post(f"{name}: Flytta, bad time", reschedule,
               {"day": "", "start": "25:00", "minutes": "30"}, headers=HTMX)
    if visit.patient.is_child_on(timezone.localdate()):
        contacts = reverse("visits:contacts", args=[visit.pk])
        pages.get(f"{name}: Byt ombud", contacts, data={"redigera": ""}, headers=HTMX)
    for action in ["receive", "start", "start_meeting"]:
        pages.post(f"{name}: {action}", reverse("visits:transition", args=[visit.pk, action]),
                   {}, headers=HTMX, ok=True)
    # Someone who joined in Swedish waits, and a colleague is in the meeting (R1, R2).
    guest = visit.participants.get(first_name="Per")
    colleague = User.objects.get(username="psykolog")
    RoomPresence.objects.create(visit=visit, peer=f"p{guest.pk}", participant=guest,
                                name=guest.full_name, role="Anhörig", channel_name="x")
    RoomPresence.objects.create(visit=visit, peer=f"s{colleague.pk}", user=colleague,
                                name=colleague.get_full_name(), role="Psykolog",
                                channel_name="y", status=RoomPresence.Status.IN_MEETING)
    pages.get(f"{name}: someone waits", detail)
    pages.post(f"{name}: Släpp in", reverse("visits:room-admit", args=[visit.pk, guest.pk]),
               {}, headers=HTMX, ok=True)
    pages.post(f"{name}: notes", reverse("visits:notes", args=[visit.pk]),
               {"notes": "Samtal om sömn."}, headers=HTMX, ok=True)
    end_meeting = reverse("visits:transition", args=[visit.pk, "end_meeting"])
    pages.post(f"{name}: end_meeting asks first", end_meeting, {}, headers=HTMX, ok=True)
    pages.post(f"{name}: end_meeting", end_meeting, CONFIRMED, headers=HTMX, ok=True)
    pages.post(f"{name}: Avsluta besök asks about VAS", reverse("visits:finish",
                                                                args=[visit.pk]),
               {}, headers=HTMX, ok=True)
    pages.post(f"{name}: finished", reverse("visits:finish", args=[visit.pk]),
               {"journaled": "no"}, headers=HTMX, ok=True)
    pages.get(f"{name}: finished page", detail)


def walk_new_visit(pages: Pages) -> None:
    new = reverse("visits:new")
    pages.get("Nytt besök", new)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    pages.post("Nytt besök: child", new, {"personnummer": "20170615-9835", "day": tomorrow,
                                          "start": "10:00", "minutes": "30"}, headers=HTMX)
    pages.post("Nytt besök: guest row", new, {
        "personnummer": "19850312-9820", "day": tomorrow, "start": "10:00", "minutes": "30",
        "guests-TOTAL_FORMS": "0", "guests-INITIAL_FORMS": "0", "guest_add": ""},
        headers=HTMX)
    pages.post("Nytt besök: errors", new, {"personnummer": "19850312-9820", "day": "",
                                           "start": "", "minutes": "30"}, headers=HTMX)
    later = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    response = pages.client.post(new, {
        "personnummer": "19850312-9820", "day": later, "start": "10:00", "minutes": "30",
        "guests-TOTAL_FORMS": "1", "guests-INITIAL_FORMS": "0", "guests-0-kind": "interpreter",
        "guests-0-first_name": "Tolk", "guests-0-last_name": "digital",
        "guests-0-email": "videolank@digitaltolk.se", "guests-0-channel": "none"},
        follow=True)
    assert response.redirect_chain, response.content.decode()
    pages.add("Nytt besök: created", response)
    visit = VideoVisit.objects.order_by("pk").last()
    guest = visit.participants.get(kind="interpreter")
    remove = reverse("visits:participant-remove", args=[visit.pk, guest.pk])
    pages.post("Nytt besök: removing a guest asks first", remove, {}, headers=HTMX, ok=True)
    pages.post("Nytt besök: guest removed", remove, CONFIRMED, headers=HTMX, ok=True)
    cancel = reverse("visits:transition", args=[visit.pk, "cancel"])
    pages.post("Nytt besök: Avboka asks first", cancel, {}, headers=HTMX, ok=True)
    pages.post("Nytt besök: Avboka", cancel, CONFIRMED, headers=HTMX, ok=True)


def step(name: str) -> str:
    return reverse("bookings:step", args=[name])


def pk_of(model: str, **lookup) -> int:
    return apps.get_model(model).objects.get(**lookup).pk


def wizard_to_time(pages: Pages, name: str, number: str, kind: str, day: datetime.date,
                   **extra) -> None:
    pages.post(f"{name}: Börja om", reverse("bookings:restart"), {}, headers=HTMX)
    pages.post(f"{name}: patient", step("patient"), {"personnummer": number}, headers=HTMX,
               ok=True)
    pages.post(f"{name}: typ", step("typ"), {"kind": kind}, headers=HTMX, ok=True)
    owner = User.objects.get(username="lakare").pk
    html = pages.post(f"{name}: tid, free times", step("tid"),
                      {"owner": owner, "day": day.isoformat(), "action": "slots", **extra},
                      headers=HTMX)
    slot = re.search(r'name="slot" value="([^"]+)"', html)[1]
    pages.post(f"{name}: tid", step("tid"), {"owner": owner, "day": day.isoformat(),
                                             "slot": slot, **extra}, headers=HTMX, ok=True)


def book(pages: Pages, name: str, number: str, kind: str, day: datetime.date, *,
         details: dict, deltagare: dict | None = None, kallelse: bool = True,
         **time) -> Booking:
    """One booking through every step of the wizard, each step's page seen."""
    wizard_to_time(pages, name, number, kind, day, **time)
    if deltagare is not None:
        pages.get(f"{name}: deltagare", step("deltagare"))
        pages.post(f"{name}: deltagare, nothing given", step("deltagare"), {}, headers=HTMX)
        pages.post(f"{name}: deltagare", step("deltagare"), deltagare, headers=HTMX, ok=True)
    pages.get(f"{name}: detaljer", step("detaljer"))
    pages.post(f"{name}: detaljer", step("detaljer"), {
        "contact_type": pk_of("bookings.ContactType", code="DiVL"), **details}, headers=HTMX,
        ok=True)
    if kallelse:
        html = pages.get(f"{name}: kallelse", step("kallelse"))
        pages.post(f"{name}: kallelse, nothing chosen", step("kallelse"), {}, headers=HTMX)
        template = re.search(r'name="template" value="(\d+)"', html)[1]
        pages.post(f"{name}: kallelse", step("kallelse"),
                   {"template": template, "delivery": "print"}, headers=HTMX, ok=True)
    pages.get(f"{name}: bekräfta", step("bekrafta"))
    response = pages.client.post(step("bekrafta"), {"action": "book"}, follow=True)
    assert response.redirect_chain, response.content.decode()
    pages.add(f"{name}: booked", response)
    return Booking.objects.order_by("pk").last()


def walk_wizard(pages: Pages) -> None:
    day = next_weekday()
    pages.get("Boka: patient", step("patient"))
    for number, what in [("19121212-1212", "not in the registry"),
                         ("19581102-9882", "not at the unit"), ("8503129", "partial")]:
        pages.post(f"Boka: patient, {what}", step("patient"), {"personnummer": number},
                   headers=HTMX)
    pages.post("Boka: patient, 15 without BankID", step("patient"),
               {"personnummer": "20110819-9876"}, headers=HTMX)
    pages.post("Boka: patient", step("patient"), {"personnummer": "19850312-9820"},
               headers=HTMX, ok=True)
    pages.post("Boka: typ, nothing chosen", step("typ"), {}, headers=HTMX)
    pages.post("Boka: typ", step("typ"), {"kind": "single"}, headers=HTMX, ok=True)
    pages.post("Boka: tid, nothing chosen", step("tid"), {"day": day.isoformat()},
               headers=HTMX)
    saturday = day + datetime.timedelta(days=5 - day.weekday())
    pages.post("Boka: tid, no free times", step("tid"), {
        "owner": User.objects.get(username="lakare").pk, "day": saturday.isoformat()},
        headers=HTMX)

    video = {"schedule_activity": pk_of("bookings.ScheduleActivity", name="Videobesök"),
             "visit_reason": pk_of("bookings.VisitReason", code="ÅTB"), "visa_webb": "on"}
    booking = book(pages, "Boka vuxen", "19850312-9820", "single", day, details=video)
    detail = reverse("bookings:detail", args=[booking.pk])
    pages.get("Bokning", detail)
    reschedule = reverse("bookings:reschedule", args=[booking.pk])
    pages.post("Bokning: Flytta, free times", reschedule,
               {"day": day.isoformat(), "action": "slots"}, ok=True)
    pages.post("Bokning: Flytta, nothing chosen", reschedule, {"day": day.isoformat()})
    walk_visit(pages, booking.video_visit, "Bokat besök")

    lo = Patient.objects.get(personnummer="201706159835")
    karin, johan = lo.guardians.order_by("personnummer")
    book(pages, "Boka barn", "20170615-9835", "single", day, details=video,
         deltagare={"primary_contact": karin.pk, "agent": johan.pk})
    book(pages, "Anhörigsamtal", "19850312-9820", "relative_call", day, kallelse=False,
         deltagare={"personnummer": "19581102-9882", "channel": "sms",
                       "mobile": "070-174 06 10"},
         details={"schedule_activity": pk_of("bookings.ScheduleActivity",
                                             name="Ej webbpublicerad tid"),
                  "visit_reason": pk_of("bookings.VisitReason", code="ASAM")})
    book(pages, "Gruppbesök", "19850312-9820", "group", day, kallelse=False,
         deltagare={"others": "19790527-9894",
                       "meeting_url": "https://teams.microsoft.com/l/meetup-join/abc"},
         details=video)
    pages.post("Gruppbesök: errors", step("deltagare"),
               {"others": "19121212-1212\n12121212-1212", "meeting_url": "x"}, headers=HTMX)
    psychologist = User.objects.get(username="psykolog").pk
    book(pages, "Teambesök", "19850312-9820", "team_owner", day, participants=[psychologist],
         details=video | {"participant_activity": pk_of("bookings.ScheduleActivity",
                                                        name="Medverkan")})

    kallelse = pages.client.get(reverse("bookings:kallelse", args=[booking.pk]))
    assert kallelse.status_code == 200
    pages.kallelse = kallelse.content.decode()
    pages.add("Bokning: Avboka", pages.client.post(reverse("bookings:cancel",
                                                           args=[booking.pk]), follow=True))


def walk_start_page(pages: Pages, name: str) -> None:
    start = reverse("visits:start")
    pages.get(name, start)
    other_day = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    pages.get(f"{name}, another day", start, data={"dag": other_day})
    pages.get(f"{name}, a day that is no date", start, data={"dag": "igår"})


def test_every_staff_page_in_english_has_no_swedish_left(client, physician):
    pages = Pages(client)
    walk_start_page(pages, "Idag")
    walk_search_and_patients(pages)
    for visit in VideoVisit.objects.order_by("starts_at"):
        walk_visit(pages, visit, f"Besök {visit.patient.first_name}")
    finished = VideoVisit.objects.order_by("starts_at").first()
    pages.post("Besök: Ta emot when finished", reverse("visits:transition",
                                                       args=[finished.pk, "receive"]),
               {}, headers=HTMX)
    pages.get("Besök: room", reverse("visits:room_presence", args=[finished.pk]))
    walk_start_page(pages, "Idag, notes not journaled")
    pages.add("Besök: journalfört", client.post(reverse("visits:journaled", args=[finished.pk]),
                                                {"next": "start"}, follow=True))
    walk_new_visit(pages)
    walk_wizard(pages)
    anonymous = Client()
    anonymous.post(reverse("set_language"), {"language": "en", "next": "/"})
    pages.add("Logga in", anonymous.get(reverse("login")))
    pages.add("Logga in, wrong", anonymous.post(reverse("login"),
                                                {"username": "lakare", "password": "x"}))

    # The pages are English: otherwise lang="sv" would hide everything from the check.
    for name, html in pages.seen:
        assert "<html" not in html or '<html lang="en">' in html, name
    data = shown_data()
    left: dict[str, str] = {}
    for name, html in pages.seen:
        for text in swedish_left(html, data):
            left.setdefault(text, name)
    assert left == {}, "Swedish on English pages:\n" + "\n".join(
        f"{text!r}  ({name})" for text, name in sorted(left.items()))


def test_the_printed_kallelse_stays_swedish_for_the_patient(client, physician):  # B2
    pages = Pages(client)
    walk_wizard(pages)
    article = pages.kallelse.split("<article", 1)[1]
    assert 'lang="sv"' in article.split(">", 1)[0]
    assert "Kallelse till videobesök" in article and "Videobesök – du deltar via" in article
    assert "Skriv ut" not in pages.kallelse  # the staff's own tools are in English
