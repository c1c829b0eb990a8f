"""Boka videobesök: the wizard's steps, in place with htmx and without JavaScript."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from audit.models import AccessLogEntry
from bookings.forms import slot_value
from bookings.models import Booking, VisitReason
from bookings.services import booking_create
from integrations.models import OutboxMessage
from integrations.registry.fixture import FixtureRegistry
from patients.models import Patient, PatientContact
from tests.bookings.conftest import ADULT_MOBILE, at
from tests.patients.factories import PatientFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def url(step: str) -> str:
    return reverse("bookings:step", args=[step])


def post(client, step: str, data: dict, htmx: bool = False):
    return client.post(url(step), data, headers=HTMX if htmx else {})


def slot(day, hour, minute=0) -> str:
    start = at(day, hour, minute)
    return slot_value(start, start + datetime.timedelta(minutes=30))


def checked_template(response) -> str:
    """The kallelse template preselected on the page."""
    return re.search(r'name="template" value="(\d+)"[^>]*checked', response.content.decode())[1]


def through_time(client, patient, day, kind="single", **time):
    assert post(client, "patient", {"personnummer": patient.personnummer}).status_code == 302
    assert post(client, "typ", {"kind": kind}).status_code == 302
    data = {"owner": time.pop("owner"), "day": day.isoformat(), "slot": slot(day, 9)} | time
    response = post(client, "tid", data)
    assert response.status_code == 302, response.content.decode()
    return response


def details(client, ref, **extra):
    data = {"contact_type": ref.divl.pk, "schedule_activity": ref.video_activity.pk,
            "visit_reason": ref.aterbesok.pk, "visa_webb": "on"} | extra
    response = post(client, "detaljer", data)
    assert response.status_code == 302, response.content.decode()
    return response


def test_an_adult_is_booked_step_by_step_without_javascript(client, alice, ref, schedule,
                                                           adult, day):  # B1, B2
    assert client.get(reverse("bookings:start"))["Location"] == url("patient")
    response = through_time(client, adult, day, owner=alice.pk)
    assert response["Location"] == url("detaljer")  # an adult needs no agent step
    page = client.get(url("detaljer")).content.decode()
    assert f'value="{ref.divl.pk}" selected' in page  # DiVL preset
    assert details(client, ref)["Location"] == url("kallelse")
    assert checked_template(client.get(url("kallelse"))) == str(ref.adult.pk)
    post(client, "kallelse", {"template": ref.adult.pk, "delivery": "save"})
    page = client.get(url("bekrafta")).content.decode()
    assert "Eva Lindqvist" in page and "Videobesök – vuxen – Spara" in page
    response = post(client, "bekrafta", {"action": "book"})
    booking = Booking.objects.get()
    assert response["Location"] == reverse("bookings:detail", args=[booking.pk])
    assert booking.video_visit.patient == adult
    assert OutboxMessage.objects.filter(channel="portal", recipient=adult.personnummer).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Bokningen är klar." in page and "Öppna besökssidan" in page
    # The draft is gone: the next booking starts from the patient.
    assert client.get(reverse("bookings:start"))["Location"] == url("patient")


def test_the_kallelse_step_must_choose_skriv_ut_or_spara(client, alice, ref, schedule, adult,
                                                        day):  # B2
    through_time(client, adult, day, owner=alice.pk)
    details(client, ref)
    response = post(client, "kallelse", {"template": ref.adult.pk}, htmx=True)
    assert response.status_code == 422
    assert "Välj Skriv ut eller Spara" in response.content.decode()
    assert 'id="wizard"' in response.content.decode() and "<html" not in response.content.decode()


def test_htmx_swaps_the_next_step_in_and_pushes_its_url(client, alice, ref, adult):
    response = post(client, "patient", {"personnummer": adult.personnummer}, htmx=True)
    assert response.status_code == 200
    assert response["HX-Push-Url"] == url("typ")
    assert "Typ av besök" in response.content.decode()


def test_the_wizards_look_up_and_the_booking_are_in_the_access_log(client, alice, ref,
                                                                     schedule, adult,
                                                                     day):  # S1
    through_time(client, adult, day, owner=alice.pk)
    searched = AccessLogEntry.objects.get(action="search")
    assert (searched.user, searched.patient) == (alice, adult)
    details(client, ref)
    post(client, "kallelse", {"template": ref.adult.pk, "delivery": "save"})
    post(client, "bekrafta", {"action": "book"})
    created = AccessLogEntry.objects.get(action="create")
    assert (created.patient, created.object_type) == (adult, "bookings.booking")
    post(client, "patient", {"personnummer": "19850312-9820"})  # not at this unit
    missed = AccessLogEntry.objects.get(outcome="not_found")
    assert missed.personnummer == "198503129820" and missed.patient is None


def test_an_unknown_number_is_refused_in_place(client, alice, ref):  # P1
    response = post(client, "patient", {"personnummer": "19850312-9821"}, htmx=True)
    assert response.status_code == 422
    assert "Kontrollsiffran" in response.content.decode()
    response = post(client, "patient", {"personnummer": "19850312-9820"}, htmx=True)
    assert "Patienten finns inte på din vårdenhet" in response.content.decode()


def test_back_and_forward_keep_what_was_entered(client, alice, ref, schedule, adult, day):
    through_time(client, adult, day, owner=alice.pk)
    response = post(client, "detaljer", {"contact_type": ref.divl.pk,
                                         "schedule_activity": ref.unpublished.pk,
                                         "visit_reason": ref.aterbesok.pk, "action": "back"})
    assert response["Location"] == url("tid")
    page = client.get(url("tid")).content.decode()
    assert 'checked' in page and slot(day, 9) in page
    page = client.get(url("detaljer")).content.decode()
    assert f'value="{ref.unpublished.pk}" selected' in page


def test_13_or_older_without_eid_is_stopped_with_the_reason(client, alice, ref,
                                                           teen_without_eid):  # P6
    post(client, "patient", {"personnummer": teen_without_eid.personnummer})
    response = post(client, "typ", {"kind": "single"}, htmx=True)
    assert response.status_code == 422
    assert "Barn som fyllt 13 år behöver egen e-legitimation" in response.content.decode()


def test_a_child_under_13_gets_the_agent_step(client, alice, ref, schedule, child, day):  # P5
    response = through_time(client, child, day, owner=alice.pk)
    assert response["Location"] == url("deltagare")
    karin = child.guardians.get(first_name="Karin")
    response = post(client, "deltagare", {"primary_contact": karin.pk}, htmx=True)
    assert response.status_code == 422 and "Ombud" in response.content.decode()
    assert post(client, "deltagare", {"primary_contact": karin.pk,
                                      "agent": karin.pk}).status_code == 302
    details(client, ref)
    assert checked_template(client.get(url("kallelse"))) == str(ref.child.pk)  # B2, P7
    post(client, "kallelse", {"template": ref.child.pk, "delivery": "print"})
    response = post(client, "bekrafta", {"action": "book"})
    booking = Booking.objects.get()
    assert booking.video_visit.participants.get().kind == "agent"
    page = client.get(reverse("bookings:kallelse", args=[booking.pk])).content.decode()
    assert "Barnets ombud legitimerar sig med BankID." in page


def test_the_printed_kallelse_is_in_the_patients_language_not_the_staff_pages(
        client, settings, booked, day):  # B2
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("bookings:kallelse", args=[booked.pk])).content.decode()
    assert '<html lang="en">' in page and ">Print<" in page  # the staff member's tools
    kallelse = page[page.index("<article"):page.index("</article>")]
    assert 'lang="sv"' in kallelse
    with translation.override("sv"):
        when = formats.date_format(at(day, 9), "l j F Y")
    for swedish in ["Kallelse till videobesök", "<dt>Tid</dt>", f"<dd>{when} 09.00–09.30",
                    "<dt>Hos</dt>", "<dt>Besöksform</dt>", "du deltar via mobil"]:
        assert swedish in kallelse, swedish
    assert "<title>Kallelse" in page
    for english in ["Appointment", "Time", "Type of visit", "With"]:
        assert english not in kallelse, english


def test_a_revealing_unit_name_never_reaches_the_patient(client, alice, settings, ref,
                                                       care_unit, adult, day):  # G6, B2, B8
    care_unit.name, care_unit.name_is_revealing = "Beroendecentrum Syd", True
    care_unit.save()
    settings.BOOKINGS_FEED_TOKEN = "feed-token"
    booking = booking_create(
        kind="single", care_unit=care_unit, owner=alice, patient=adult, starts_at=at(day, 9),
        ends_at=at(day, 9, 30), contact_type=ref.divl, schedule_activity=ref.video_activity,
        visit_reason=ref.aterbesok, kallelse_template=ref.adult, kallelse_delivery="save",
        created_by=alice)
    printed = client.get(reverse("bookings:kallelse", args=[booking.pk])).content.decode()
    assert '<p class="kallelse__unit">Mottagningen</p>' in printed
    saved = OutboxMessage.objects.get(channel="portal")
    [shown] = feed(client, adult.personnummer).json()["bookings"]
    assert "Hos: Alice Lund, mottagningen" in saved.body and shown["unit"] == "mottagningen"
    messages = "".join(m.subject + m.body for m in OutboxMessage.objects.all())
    for text in (printed, messages):
        assert "Beroendecentrum" not in text

    care_unit.name_is_revealing = False
    care_unit.save()
    printed = client.get(reverse("bookings:kallelse", args=[booking.pk])).content.decode()
    assert '<p class="kallelse__unit">Beroendecentrum Syd</p>' in printed


def test_taken_times_are_not_offered(client, alice, ref, schedule, adult, day):  # B6
    booking_create(kind="single", care_unit=alice.care_units.get(), owner=alice,
                   patient=PatientFactory(care_units=alice.care_units.all()),
                   starts_at=at(day, 9), ends_at=at(day, 9, 30), contact_type=ref.bes,
                   schedule_activity=ref.video_activity, created_by=alice)
    post(client, "patient", {"personnummer": adult.personnummer})
    post(client, "typ", {"kind": "single"})
    page = post(client, "tid", {"owner": alice.pk, "day": day.isoformat(),
                                "action": "slots"}).content.decode()
    assert slot(day, 9, 30) in page and slot(day, 9) not in page
    response = post(client, "tid", {"owner": alice.pk, "day": day.isoformat(),
                                    "slot": slot(day, 9)}, htmx=True)
    assert response.status_code == 422


def test_an_anhorigsamtal_asks_for_the_relative_and_never_a_kallelse(
        client, alice, ref, schedule, adult, day):  # B4
    response = through_time(client, adult, day, kind="relative_call", owner=alice.pk)
    assert response["Location"] == url("deltagare")
    response = post(client, "deltagare", {"personnummer": "19581102-9882", "channel": "sms",
                                          "mobile": "070-174 06 10"})
    assert response["Location"] == url("detaljer")
    page = client.get(url("detaljer")).content.decode()
    assert "Visa webb" not in page.split("Sammanfattning")[0].split("<form")[1]
    response = post(client, "detaljer", {"contact_type": ref.divl.pk,
                                         "schedule_activity": ref.unpublished.pk,
                                         "visit_reason": ref.asam.pk})
    assert response["Location"] == url("bekrafta")
    page = client.get(url("bekrafta")).content.decode()
    assert "Margareta Ek" in page
    post(client, "bekrafta", {"action": "book"})
    booking = Booking.objects.get()
    assert booking.video_visit.patient.personnummer == "195811029882"
    assert [m.recipient for m in OutboxMessage.objects.all()] == ["+46701740610"]


@pytest.mark.parametrize(("number", "fields", "says"), [
    ("own", {}, "bokas på den anhöriges personnummer"),
    ("19121212-1212", {}, "finns inte i personuppgiftstjänsten"),
    ("19581102-9882", {"channel": "email", "email": ""}, "Ange en e-postadress"),
    ("19581102-9882", {"mobile": "12345"}, "mobilnummer"),
])
def test_the_relative_step_explains_what_is_wrong_and_keeps_the_input(
        client, alice, ref, schedule, adult, day, number, fields, says):  # B4
    through_time(client, adult, day, kind="relative_call", owner=alice.pk)
    number = adult.personnummer if number == "own" else number
    data = {"personnummer": number, "channel": "sms", "mobile": "070-174 06 10"} | fields
    response = post(client, "deltagare", data, htmx=True)
    content = response.content.decode()
    assert response.status_code == 422 and says in content
    assert 'value="070-174 06 10"' in content or "mobile" in fields
    assert not Booking.objects.exists() and not Patient.objects.filter(
        personnummer="195811029882").exists()


def test_the_relative_step_when_the_registry_is_down(client, alice, ref, schedule, adult, day,
                                                     registry_server):  # B4, P3
    through_time(client, adult, day, kind="relative_call", owner=alice.pk)
    registry_server.fail_next = [503, 503, 503]
    response = post(client, "deltagare", {"personnummer": "19581102-9882", "channel": "sms",
                                          "mobile": "070-174 06 10"}, htmx=True)
    assert response.status_code == 422
    assert "Personuppgiftstjänsten svarar inte just nu" in response.content.decode()
    # Once it answers again, the same input goes through.
    response = post(client, "deltagare", {"personnummer": "19581102-9882", "channel": "sms",
                                          "mobile": "070-174 06 10"})
    assert response["Location"] == url("detaljer")


def test_a_group_visit_takes_more_patients_and_a_teams_link(client, alice, ref, schedule, adult,
                                                           day):  # B5
    other = PatientFactory(care_units=alice.care_units.all())
    through_time(client, adult, day, kind="group", owner=alice.pk)
    response = post(client, "deltagare", {"others": other.personnummer,
                                          "meeting_url": "https://example.com/x"}, htmx=True)
    assert "https://teams.microsoft.com/l/meetup-join/" in response.content.decode()
    post(client, "deltagare", {"others": other.personnummer,
                               "meeting_url": "https://teams.microsoft.com/l/meetup-join/abc"})
    response = details(client, ref)
    assert response["Location"] == url("bekrafta")
    post(client, "bekrafta", {"action": "book"})
    booking = Booking.objects.get()
    assert set(booking.group_patients.all()) == {adult, other}
    assert OutboxMessage.objects.filter(channel="portal").count() == 2


def test_a_failed_booking_shows_why_on_the_confirm_step(client, alice, ref, schedule, adult,
                                                        colleague_same_unit, day):  # B6
    through_time(client, adult, day, owner=alice.pk)
    details(client, ref)
    post(client, "kallelse", {"template": ref.adult.pk, "delivery": "print"})
    booking_create(kind="single", care_unit=alice.care_units.get(), owner=alice,
                   patient=PatientFactory(care_units=alice.care_units.all()),
                   starts_at=at(day, 9), ends_at=at(day, 9, 30), contact_type=ref.bes,
                   schedule_activity=ref.video_activity, created_by=alice)
    response = post(client, "bekrafta", {"action": "book"}, htmx=True)
    assert response.status_code == 422
    assert "Tiden är redan bokad" in response.content.decode()


def test_outsider_is_refused(client, outsider, alice, ref, schedule, adult, day):  # S2
    through_time(client, adult, day, owner=alice.pk)
    details(client, ref)
    post(client, "kallelse", {"template": ref.adult.pk, "delivery": "print"})
    post(client, "bekrafta", {"action": "book"})
    booking = Booking.objects.get()
    client.force_login(outsider)
    assert client.get(reverse("bookings:detail", args=[booking.pk])).status_code == 403
    assert client.get(reverse("bookings:kallelse", args=[booking.pk])).status_code == 403
    response = post(client, "patient", {"personnummer": adult.personnummer}, htmx=True)
    assert "Patienten finns inte på din vårdenhet" in response.content.decode()


def test_signed_out_is_sent_to_login(client):
    response = client.get(url("patient"))
    assert response.status_code == 302 and "logga-in" in response["Location"]


def test_the_nav_has_boka_videobesok(client, alice):
    page = client.get(reverse("visits:start")).content.decode()
    assert f'href="{reverse("bookings:start")}"' in page and "Boka videobesök" in page


def last_to(recipient: str) -> str:
    return OutboxMessage.objects.filter(recipient=recipient).order_by("pk").last().body


@pytest.fixture
def booked(ref, alice, schedule, adult, day) -> Booking:
    return booking_create(kind="single", care_unit=alice.care_units.get(), owner=alice,
                          patient=adult, starts_at=at(day, 9), ends_at=at(day, 9, 30),
                          contact_type=ref.divl, schedule_activity=ref.video_activity,
                          kallelse_template=ref.adult, kallelse_delivery="print",
                          created_by=alice)


def test_flytta_moves_the_booking_and_its_visit(client, booked, adult, day):  # B7
    where = reverse("bookings:reschedule", args=[booked.pk])
    page = client.post(where, {"day": day.isoformat(), "action": "slots"}).content.decode()
    assert slot(day, 11) in page and slot(day, 9) not in page
    response = client.post(where, {"day": day.isoformat(), "slot": slot(day, 11)})
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.starts_at == at(day, 11) and booked.video_visit.starts_at == at(day, 11)
    assert "flyttat" in last_to(ADULT_MOBILE)
    assert "Bokningen är flyttad" in client.get(response["Location"]).content.decode()


def test_flytta_without_a_time_says_so(client, booked, day):  # B7
    response = client.post(reverse("bookings:reschedule", args=[booked.pk]),
                           {"day": day.isoformat()})
    assert response.status_code == 422 and "Välj en ledig tid." in response.content.decode()


def test_avboka_asks_first_then_cancels_the_booking_and_its_visit(client, booked,
                                                                  adult):  # B7
    where = reverse("bookings:cancel", args=[booked.pk])
    page = client.post(where).content.decode()
    assert "<html" in page and "Vill du avboka bokningen?" in page  # without JavaScript
    assert 'role="alertdialog"' in page and 'name="bekraftat" value="ja"' in page
    booked.refresh_from_db()
    assert booked.cancelled_at is None and booked.video_visit.state == "scheduled"
    asked = client.post(where, headers=HTMX).content.decode()
    assert asked.lstrip().startswith('<div id="cancel-question">')  # in place, with htmx
    assert 'data-confirm-opener="booking-cancel"' in asked
    response = client.post(where, {"bekraftat": "ja"})
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.cancelled_at and booked.video_visit.state == "cancelled"
    assert "avbokat" in last_to(ADULT_MOBILE)


def test_outsider_cannot_move_or_cancel(client, booked, outsider, day):  # S2
    client.force_login(outsider)
    assert client.post(reverse("bookings:cancel", args=[booked.pk]), {"bekraftat": "ja"}
                       ).status_code == 403
    assert client.post(reverse("bookings:reschedule", args=[booked.pk]),
                       {"day": day.isoformat(), "slot": slot(day, 11)}).status_code == 403
    booked.refresh_from_db()
    assert booked.cancelled_at is None and booked.starts_at == at(day, 9)


def test_an_adult_without_a_mobile_is_stopped_at_the_time_step(client, alice, ref, schedule,
                                                              adult, day):  # P4
    PatientContact.objects.filter(patient=adult).update(mobile="")
    post(client, "patient", {"personnummer": adult.personnummer})
    post(client, "typ", {"kind": "single"})
    response = post(client, "tid", {"owner": alice.pk, "day": day.isoformat(),
                                    "slot": slot(day, 9)}, htmx=True)
    assert response.status_code == 422
    assert "Patienten saknar mobilnummer" in response.content.decode()


def feed(client, personnummer: str, token: str = "feed-token"):
    return client.post(reverse("bookings:published-feed"), {"personnummer": personnummer},
                       content_type="application/json",
                       headers={"Authorization": f"Bearer {token}"})


def test_the_1177_feed_shows_only_published_bookings(client, settings, ref, clinician,
                                                    colleague_same_unit, care_unit, adult,
                                                    day):  # B8, B4, B3
    settings.BOOKINGS_FEED_TOKEN = "feed-token"
    common = dict(care_unit=care_unit, contact_type=ref.divl, created_by=clinician,
                  patient=adult, visit_reason=ref.aterbesok)
    video = dict(kallelse_template=ref.adult, kallelse_delivery="print")
    booking_create(kind="single", owner=clinician, starts_at=at(day, 9),
                   ends_at=at(day, 9, 30), schedule_activity=ref.video_activity,
                   **common, **video)
    booking_create(kind="single", owner=clinician, starts_at=at(day, 10),
                   ends_at=at(day, 10, 30), schedule_activity=ref.video_activity,
                   visa_webb=False, **common, **video)
    booking_create(kind="team_owner", owner=clinician, starts_at=at(day, 11),
                   ends_at=at(day, 11, 30), schedule_activity=ref.video_activity,
                   participants=[colleague_same_unit], participant_activity=ref.medverkan,
                   **common, **video)
    booking_create(**common | {"visit_reason": ref.asam}, kind="relative_call", owner=clinician,
                   starts_at=at(day, 12), ends_at=at(day, 12, 30),
                   schedule_activity=ref.unpublished,
                   relative=FixtureRegistry().lookup("195811029882"),
                   relative_mobile="+46701740610")
    response = feed(client, adult.personnummer_display)
    assert response.status_code == 200
    # The team visit once, as the owner's Teambesök; never its Medverkan booking.
    assert [b["start"] for b in response.json()["bookings"]] == [
        at(day, 9).isoformat(), at(day, 11).isoformat()]


def test_the_1177_feed_speaks_the_patients_language(client, settings, booked, adult):  # B8
    settings.BOOKINGS_FEED_TOKEN = "feed-token"
    response = client.post(reverse("bookings:published-feed"),
                           {"personnummer": adult.personnummer},
                           content_type="application/json",
                           headers={"Authorization": "Bearer feed-token",
                                    "Accept-Language": "en"})
    assert [b["title"] for b in response.json()["bookings"]] == ["Videobesök"]


def test_the_1177_feed_needs_its_token(client, settings, adult):  # B8
    settings.BOOKINGS_FEED_TOKEN = "feed-token"
    assert feed(client, adult.personnummer, token="wrong").status_code == 401
    settings.BOOKINGS_FEED_TOKEN = ""
    assert feed(client, adult.personnummer, token="").status_code == 401


def checkin_feed(client, query: dict, token: str = "checkin-token"):
    return client.post(reverse("bookings:self-checkin-feed"), query,
                       content_type="application/json",
                       headers={"Authorization": f"Bearer {token}"})


def test_the_self_checkin_feed_leaves_out_asam_exempt_reasons_and_unpublished(
        client, settings, ref, clinician, colleague_same_unit, care_unit, adult):  # B4, B8, B3
    settings.SELF_CHECKIN_FEED_TOKEN = "checkin-token"
    today = timezone.localdate()
    blood_test = VisitReason.objects.create(code="PROV", name="Provtagning",
                                            self_checkin_exempt=True)
    common = dict(care_unit=care_unit, contact_type=ref.divl, created_by=clinician,
                  owner=clinician, schedule_activity=ref.video_activity,
                  visit_reason=ref.aterbesok, kallelse_template=ref.adult,
                  kallelse_delivery="print")

    def book(hour, minute=0, day=today, **fields):
        start = at(day, hour, minute)
        return booking_create(**common | {"kind": "single", "patient": adult,
                                          "starts_at": start,
                                          "ends_at": start + datetime.timedelta(minutes=30)}
                              | fields)

    normal = book(8)
    book(8, 30, visit_reason=blood_test)
    book(9, visa_webb=False)
    book(9, 30, kind="relative_call", visit_reason=ref.asam,
         schedule_activity=ref.unpublished, relative=FixtureRegistry().lookup("195811029882"),
         relative_mobile="+46701740610")
    team = book(10, kind="team_owner", participants=[colleague_same_unit],
                participant_activity=ref.medverkan)
    book(8, day=today + datetime.timedelta(days=1))
    other = book(11, patient=PatientFactory(care_units=[care_unit]))

    response = checkin_feed(client, {"personnummer": adult.personnummer_display})
    assert response.status_code == 200
    bookings = response.json()["bookings"]
    # The team visit once, as the owner's Teambesök; never its Medverkan booking.
    assert [b["booking"] for b in bookings] == [normal.pk, team.pk]
    assert bookings[0] == {
        "booking": normal.pk, "personnummer": adult.personnummer,
        "start": at(today, 8).isoformat(), "end": at(today, 8, 30).isoformat(),
        "title": "Videobesök", "unit": care_unit.name, "hsa_id": care_unit.hsa_id}
    unit = checkin_feed(client, {"hsa_id": care_unit.hsa_id}).json()["bookings"]
    assert [(b["booking"], b["personnummer"]) for b in unit] == [
        (normal.pk, adult.personnummer), (team.pk, adult.personnummer),
        (other.pk, other.patient.personnummer)]
    both = checkin_feed(client, {"personnummer": adult.personnummer,
                                 "hsa_id": "SE2321000222-VC02"}).json()["bookings"]
    assert both == []


def test_the_self_checkin_feed_needs_its_token_and_a_question(client, settings,
                                                              adult):  # B8
    settings.SELF_CHECKIN_FEED_TOKEN = "checkin-token"
    settings.BOOKINGS_FEED_TOKEN = "feed-token"
    query = {"personnummer": adult.personnummer}
    assert checkin_feed(client, query, token="feed-token").status_code == 401
    assert checkin_feed(client, {}).status_code == 400
    assert checkin_feed(client, {"personnummer": "19850312-9821"}).status_code == 400
    assert checkin_feed(client, ["not", "an", "object"]).status_code == 400
    settings.SELF_CHECKIN_FEED_TOKEN = ""
    assert checkin_feed(client, query, token="").status_code == 401


def test_a_history_restore_gets_the_whole_page(client, alice, ref, adult):
    post(client, "patient", {"personnummer": adult.personnummer})
    response = client.get(url("typ"), headers=HTMX | {"HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()
    response = client.get(url("typ"), headers=HTMX)
    assert "<html" not in response.content.decode() and 'id="wizard"' in response.content.decode()
