import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.patients.factories import PatientFactory
from tests.visits.factories import VideoVisitFactory, at
from visits.models import VideoVisit

pytestmark = pytest.mark.django_db
S = VideoVisit.State
CONFIRMED = {"bekraftat": "ja"}  # the answer to the question a destructive action asks


@pytest.fixture
def today():
    return timezone.localdate()


def visit_for(owner, unit, day, hour, **kwargs):
    patient = kwargs.pop("patient", None) or PatientFactory(care_units=[unit])
    return VideoVisitFactory(owner=owner, care_unit=unit, starts_at=at(day, hour),
                             patient=patient, **kwargs)


def test_start_page_lists_my_visits_today_in_time_order_as_owner_or_staff(
        client, alice, colleague_same_unit, care_unit, today):  # V1
    late = visit_for(alice, care_unit, today, 15)
    early = visit_for(colleague_same_unit, care_unit, today, 9, staff=[alice])
    visit_for(colleague_same_unit, care_unit, today, 11)  # not mine
    visit_for(alice, care_unit, today + datetime.timedelta(days=1), 8)  # tomorrow
    content = client.get(reverse("visits:start")).content.decode()
    assert content.count("<tr>") == 3  # header + two visits
    assert content.index("09:00") < content.index("15:00")
    assert reverse("visits:transition", args=[early.pk, "receive"]) in content
    assert reverse("visits:transition", args=[late.pk, "receive"]) in content


def test_the_date_filter_shows_another_day_and_keeps_it_in_the_url(client, alice, care_unit,
                                                                   today):  # V1
    tomorrow = today + datetime.timedelta(days=1)
    visit_for(alice, care_unit, tomorrow, 8)
    response = client.get(reverse("visits:start"), {"dag": tomorrow.isoformat()})
    content = response.content.decode()
    assert "08:00" in content
    assert f'value="{tomorrow.isoformat()}"' in content
    assert "Du har inga videobesök" in client.get(reverse("visits:start")).content.decode()


def test_a_protected_identity_is_marked_not_named_in_the_list(client, alice, care_unit,
                                                              today):  # P8
    patient = PatientFactory(personnummer="197905279894", first_name="Alex",
                             last_name="Sandberg", protected_identity=True,
                             care_units=[care_unit])
    visit_for(alice, care_unit, today, 10, patient=patient)
    content = client.get(reverse("visits:start")).content.decode()
    assert "Skyddad identitet" in content and "Sandberg" not in content


def test_start_page_query_count_does_not_grow_with_the_visits(client, alice, care_unit, today):
    visit_for(alice, care_unit, today, 8)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("visits:start")).status_code == 200
    patient = PatientFactory(personnummer="201706159835", care_units=[care_unit])
    for n in range(99):
        # Back to back, not overlapping: one patient cannot have overlapping visits (B6).
        starts_at = at(today, 9) + datetime.timedelta(minutes=5 * n)
        VideoVisitFactory(owner=alice, care_unit=care_unit, patient=patient,
                          starts_at=starts_at, ends_at=starts_at + datetime.timedelta(minutes=5),
                          notes="x" if n % 2 else "")
    with CaptureQueriesContext(connection) as hundred:
        content = client.get(reverse("visits:start")).content.decode()
    assert content.count('class="visits__time"') == 100
    assert len(hundred) == len(one)


def test_each_row_shows_its_state_and_the_way_in(client, alice, care_unit, today):  # V1, V2
    booked = visit_for(alice, care_unit, today, 9)
    live = visit_for(alice, care_unit, today, 10, state=S.VIDEO_LIVE)
    content = client.get(reverse("visits:start")).content.decode()
    assert '<span class="state state--scheduled">Bokad</span>' in content
    assert '<span class="state state--video_live">Videomöte pågår</span>' in content
    assert f'action="{reverse("visits:transition", args=[booked.pk, "receive"])}"' in content
    assert f'href="{reverse("visits:detail", args=[live.pk])}"' in content
    assert reverse("visits:transition", args=[live.pk, "receive"]) not in content


def test_every_row_leads_to_its_visit_page_before_ta_emot_too(client, alice, care_unit,
                                                               today):  # V1, G1, B7
    booked = visit_for(alice, care_unit, today, 9, patient=PatientFactory(
        first_name="Eva", last_name="Lindqvist", care_units=[care_unit]))
    protected = visit_for(alice, care_unit, today, 10, patient=PatientFactory(
        personnummer="197905279894", protected_identity=True, care_units=[care_unit]))
    content = client.get(reverse("visits:start")).content.decode()
    # Redigera deltagare and Flytta are on the visit page; Ta emot stays the row's action.
    assert f'<a href="{reverse("visits:detail", args=[booked.pk])}">Eva Lindqvist</a>' in content
    assert re.search(rf'<a href="{reverse("visits:detail", args=[protected.pk])}">'
                     r'<span class="badge badge--protected">Skyddad identitet</span></a>',
                     content)
    assert f'action="{reverse("visits:transition", args=[booked.pk, "receive"])}"' in content


def test_url_for_pk_gives_what_reverse_gives():
    from visits.views import url_for_pk

    receive = url_for_pk("visits:transition", "receive")
    for pk in (1, 7, 2**31 - 1, 10**12):
        assert receive(pk) == reverse("visits:transition", args=[pk, "receive"])


def test_notes_left_unjournaled_are_listed_for_owner_and_staff_alone(
        client, alice, colleague_same_unit, care_unit, today):  # V5
    yesterday = today - datetime.timedelta(days=1)
    staffed = visit_for(colleague_same_unit, care_unit, yesterday, 9, staff=[alice],
                        state=S.FINISHED, notes="Remiss skriven.")
    owned = visit_for(alice, care_unit, yesterday, 11, state=S.FINISHED, notes="Recept.")
    visit_for(colleague_same_unit, care_unit, yesterday, 13, state=S.FINISHED, notes="Annat.")
    visit_for(alice, care_unit, yesterday, 15, state=S.FINISHED, notes="Klart.",
              notes_journaled_at=timezone.now())
    content = client.get(reverse("visits:start")).content.decode()
    listed = content[content.index("inte är journalförda i VAS"):]
    assert listed.count('href="/besok/') == 2
    # in time order: the staffed visit at 9, the owned one at 11
    assert 0 < listed.index(reverse("visits:detail", args=[staffed.pk])) \
        < listed.index(reverse("visits:detail", args=[owned.pk]))


def test_ta_emot_receives_and_opens_the_visit_page(client, alice, care_unit, today):  # V2
    visit = visit_for(alice, care_unit, today, 10)
    response = client.post(reverse("visits:transition", args=[visit.pk, "receive"]),
                           {"from": "start"}, headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("visits:detail", args=[visit.pk])
    visit.refresh_from_db()
    assert visit.state == S.RECEIVED
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "Starta besök" in page and "Mottagen" in page


def test_the_visit_page_walks_through_the_day(client, alice, care_unit, today):  # V2
    visit = visit_for(alice, care_unit, today, 10, state=S.RECEIVED)
    htmx = {"HX-Request": "true"}
    steps = [("start", "Starta videomöte"), ("start_meeting", "Avsluta videomöte"),
             ("end_meeting", "Avsluta besök")]
    for action, next_button in steps:
        response = client.post(reverse("visits:transition", args=[visit.pk, action]),
                               CONFIRMED, headers=htmx)
        assert response.status_code == 200
        assert next_button in response.content.decode()
    response = client.post(reverse("visits:finish", args=[visit.pk]), CONFIRMED, headers=htmx)
    assert "Avslutad" in response.content.decode()


@pytest.mark.parametrize(("state", "url", "asks", "then"), [
    (S.RECEIVED, "cancel", "Vill du avboka besöket?", S.CANCELLED),
    (S.VIDEO_LIVE, "end_meeting", "Vill du avsluta videomötet?", S.VIDEO_ENDED),
    (S.STARTED, "finish", "Vill du avsluta besöket?", S.FINISHED),
])
def test_a_destructive_action_asks_first_and_acts_only_when_confirmed(
        client, alice, care_unit, today, state, url, asks, then):  # V2, V3
    visit = visit_for(alice, care_unit, today, 10, state=state)
    where = reverse("visits:finish", args=[visit.pk]) if url == "finish" else \
        reverse("visits:transition", args=[visit.pk, url])
    htmx = {"HX-Request": "true"}
    response = client.post(where, headers=htmx)
    content = response.content.decode()
    assert response.status_code == 200 and asks in content
    # The question stands apart from the live panel and takes focus (static/js/app.js).
    assert response["HX-Retarget"] == "#visit-dialog"
    assert content.lstrip().startswith('<div id="visit-dialog">')
    assert 'role="alertdialog"' in content and "data-swap-focus" in content
    assert 'name="bekraftat" value="ja"' in content and f'action="{where}"' in content
    assert ">Avbryt</a>" in content
    visit.refresh_from_db()
    assert visit.state == state  # nothing happened

    response = client.post(where, CONFIRMED, headers=htmx)
    assert response.status_code == 200
    assert '<div id="visit-dialog" hx-swap-oob="true"></div>' in response.content.decode()
    visit.refresh_from_db()
    assert visit.state == then


def test_the_question_works_without_javascript(client, alice, care_unit, today):  # V2
    visit = visit_for(alice, care_unit, today, 10, state=S.SCHEDULED)
    where = reverse("visits:transition", args=[visit.pk, "cancel"])
    page = client.post(where).content.decode()
    assert "<html" in page and "Vill du avboka besöket?" in page
    assert page.count('id="visit-dialog"') == 1
    assert f'href="{reverse("visits:detail", args=[visit.pk])}" data-confirm-cancel' in page
    visit.refresh_from_db()
    assert visit.state == S.SCHEDULED
    response = client.post(where, CONFIRMED)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.state == S.CANCELLED


def test_avboka_of_a_booked_visit_says_the_booking_goes_too(client, alice, care_unit, today,
                                                            ref):  # B7
    from bookings.services import booking_create

    adult = PatientFactory(care_units=[care_unit])
    booking = booking_create(kind="single", care_unit=care_unit, owner=alice, patient=adult,
                             starts_at=at(today + datetime.timedelta(days=1), 9),
                             ends_at=at(today + datetime.timedelta(days=1), 9, 30),
                             contact_type=ref.divl, schedule_activity=ref.video_activity,
                             kallelse_template=ref.adult, kallelse_delivery="print",
                             created_by=alice)
    asked = client.post(reverse("visits:transition", args=[booking.video_visit.pk, "cancel"]),
                        headers={"HX-Request": "true"}).content.decode()
    assert "Bokningen avbokas också, så att tiden blir ledig. De som har fått en länk" in asked


def test_no_question_for_what_cannot_be_done_now(client, alice, care_unit, today):  # V3
    visit = visit_for(alice, care_unit, today, 10, state=S.STARTED)
    response = client.post(reverse("visits:transition", args=[visit.pk, "cancel"]),
                           headers={"HX-Request": "true"})
    assert response.status_code == 409 and "Vill du" not in response.content.decode()


def test_an_illegal_move_answers_409_with_the_reason(client, alice, care_unit, today):  # V3
    visit = visit_for(alice, care_unit, today, 10)
    response = client.post(reverse("visits:transition", args=[visit.pk, "start_meeting"]),
                           headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert "Det går inte att starta videomöte när besöket har status bokad" in \
        response.content.decode()
    visit.refresh_from_db()
    assert visit.state == S.SCHEDULED


def test_finishing_with_notes_asks_and_no_keeps_it_listed_until_confirmed(
        client, alice, care_unit, today):  # V2, V5
    visit = visit_for(alice, care_unit, today, 10, state=S.VIDEO_ENDED)
    client.post(reverse("visits:notes", args=[visit.pk]), {"notes": "Ordinerat vila."})
    asked = client.post(reverse("visits:finish", args=[visit.pk]),
                        headers={"HX-Request": "true"}).content.decode()
    assert "Är anteckningarna journalförda i VAS?" in asked
    visit.refresh_from_db()
    assert visit.state == S.VIDEO_ENDED  # nothing happened yet

    assert 'name="journaled" value="no"' in asked and ">Avbryt</a>" in asked
    client.post(reverse("visits:finish", args=[visit.pk]), {"journaled": "no"})
    start = client.get(reverse("visits:start")).content.decode()
    assert "inte är journalförda i VAS" in start
    client.post(reverse("visits:journaled", args=[visit.pk]), {"next": "start"})
    assert "inte är journalförda i VAS" not in client.get(reverse("visits:start")
                                                           ).content.decode()


def test_outsider_is_refused_every_visit_endpoint(client, outsider, clinician, care_unit,
                                                   today):  # S2
    visit = visit_for(clinician, care_unit, today, 10)
    client.force_login(outsider)
    assert client.get(reverse("visits:detail", args=[visit.pk])).status_code == 403
    assert client.get(reverse("visits:panel", args=[visit.pk])).status_code == 403
    for action in ["receive", "cancel"]:
        assert client.post(reverse("visits:transition", args=[visit.pk, action]), CONFIRMED
                           ).status_code == 403
    assert client.post(reverse("visits:finish", args=[visit.pk]), CONFIRMED).status_code == 403
    assert client.post(reverse("visits:notes", args=[visit.pk]), {"notes": "x"}
                       ).status_code == 403
    visit.refresh_from_db()
    assert visit.state == S.SCHEDULED and visit.notes == ""
    assert "Du har inga videobesök" in client.get(reverse("visits:start")).content.decode()


def test_ta_emot_already_taken_by_a_colleague_opens_the_visit_with_the_reason(
        client, alice, care_unit, today):  # V3
    visit = visit_for(alice, care_unit, today, 10, state=S.RECEIVED)
    response = client.post(reverse("visits:transition", args=[visit.pk, "receive"]),
                           {"from": "start"}, headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("visits:detail", args=[visit.pk])
    page = client.get(response["HX-Redirect"]).content.decode()
    assert "Det går inte att ta emot när besöket har status mottagen" in page


def test_typed_notes_survive_a_live_update_and_go_with_avsluta_besok(
        client, alice, care_unit, today):  # V2, V5
    visit = visit_for(alice, care_unit, today, 10, state=S.VIDEO_ENDED)
    # The live panel the socket re-fetches holds no notes to overwrite.
    panel = client.get(reverse("visits:panel", args=[visit.pk])).content.decode()
    assert 'name="notes"' not in panel
    asked = client.post(reverse("visits:finish", args=[visit.pk]),
                        {"notes": "Skrivet men inte sparat."},
                        headers={"HX-Request": "true"}).content.decode()
    assert "Är anteckningarna journalförda i VAS?" in asked
    visit.refresh_from_db()
    assert visit.notes == "Skrivet men inte sparat." and visit.state == S.VIDEO_ENDED


def test_the_notes_section_saves_on_its_own(client, alice, care_unit, today):
    visit = visit_for(alice, care_unit, today, 10, state=S.STARTED)
    response = client.post(reverse("visits:notes", args=[visit.pk]), {"notes": "Ny rad."},
                           headers={"HX-Request": "true"})
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="notes"')
    assert "Anteckningarna är sparade" in content


def test_an_outsider_cannot_confirm_journaling_or_create_visits_for_our_patients(
        client, outsider, clinician, care_unit, today):  # S2
    visit = visit_for(clinician, care_unit, today, 10, state=S.FINISHED, notes="x")
    client.force_login(outsider)
    assert client.post(reverse("visits:journaled", args=[visit.pk])).status_code == 403
    visit.refresh_from_db()
    assert visit.notes_journaled_at is None
    response = client.post(reverse("visits:new"), {
        "personnummer": visit.patient.personnummer, "day": today.isoformat(),
        "start": "15:00", "minutes": "30"})
    assert "Sök och skapa patienten först" in response.content.decode()
    assert VideoVisit.objects.count() == 1
