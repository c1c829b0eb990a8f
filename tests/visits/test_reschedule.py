"""Flytta: a visit moves to a new time before it begins (B7, V4, G5)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry
from bookings.models import ScheduleBlock
from bookings.services import booking_create
from guests.models import Participant
from guests.services import link_resolve, participant_add
from integrations.models import OutboxMessage
from tests.patients.factories import PatientFactory
from tests.visits.factories import VideoVisitFactory, at
from visits.models import IllegalTransition, VideoVisit
from visits.services import visit_create, visit_reschedule

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
EVA_MOBILE = "+46701740605"


def tomorrow_at(hour: int, minute: int = 0) -> datetime.datetime:
    return at(timezone.localdate() + datetime.timedelta(days=1), hour, minute)


@pytest.fixture
def eva(care_unit):
    return PatientFactory(personnummer="198503129820", first_name="Eva", last_name="Lindqvist",
                          mobile=EVA_MOBILE, care_units=[care_unit])


@pytest.fixture
def created(clinician, care_unit, eva, django_capture_on_commit_callbacks):
    """Eva's visit tomorrow at 10, made in the console: her link, and an interpreter's
    link that was only copied (sent to no one)."""
    starts = tomorrow_at(10)
    with django_capture_on_commit_callbacks(execute=True):
        visit, [(_patient, token)] = visit_create(
            patient=eva, care_unit=care_unit, owner=clinician, starts_at=starts,
            ends_at=starts + datetime.timedelta(minutes=30), reason="Uppföljning", staff=[])
        participant_add(visit=visit, kind=Participant.Kind.INTERPRETER, first_name="Tolk",
                        last_name="digital", channel=Participant.Channel.NONE)
    return visit, token


@pytest.fixture
def visit(created):
    return created[0]


def move(visit, user, hour, minute=0, minutes=30):
    starts = tomorrow_at(hour, minute)
    return visit_reschedule(visit=visit, starts_at=starts,
                            ends_at=starts + datetime.timedelta(minutes=minutes), user=user)


def moved_notices() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(subject="Videomöte flyttat").order_by("pk"))


def test_the_visit_moves_and_those_sent_a_link_are_told(visit, clinician, created,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        move(visit, clinician, 14, 30, minutes=45)
    visit.refresh_from_db()
    assert timezone.localtime(visit.starts_at) == tomorrow_at(14, 30)
    assert visit.ends_at - visit.starts_at == datetime.timedelta(minutes=45)
    [notice] = moved_notices()  # Eva; the interpreter's link was copied, not sent
    assert notice.recipient == EVA_MOBILE and notice.visit == visit
    assert "är flyttat till" in notice.body and "kl. 14.30" in notice.body
    assert "Uppföljning" not in notice.body  # G6: no reason for the visit
    assert link_resolve(created[1]).visit == visit  # the same link still opens


def test_moving_back_and_forth_is_told_each_time(visit, clinician):  # B7
    move(visit, clinician, 14)
    move(visit, clinician, 10)
    move(visit, clinician, 14)
    assert len(moved_notices()) == 3


def test_the_notice_is_in_swedish_whatever_the_staff_page_speaks(client, alice, visit,
                                                                 settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("visits:reschedule", args=[visit.pk]),
                           {"day": tomorrow_at(9).date().isoformat(), "start": "09:00",
                            "minutes": 30}, headers=HTMX)
    assert "The visit has been moved" in response.content.decode()
    [notice] = moved_notices()
    assert "Ditt videomöte är flyttat till" in notice.body


def test_a_visit_that_has_begun_cannot_be_moved(visit, clinician):  # V3
    VideoVisit.objects.filter(pk=visit.pk).update(state=VideoVisit.State.STARTED)
    with pytest.raises(IllegalTransition):
        move(visit, clinician, 14)
    assert not moved_notices()


def test_a_time_that_has_passed_or_is_taken_is_refused(visit, clinician, care_unit, eva):
    past = timezone.now() - datetime.timedelta(hours=1)
    with pytest.raises(ValidationError) as error:
        visit_reschedule(visit=visit, starts_at=past, ends_at=past + datetime.timedelta(
            minutes=30), user=clinician)
    assert "Tiden har redan varit" in error.value.messages[0]
    VideoVisitFactory(owner=clinician, care_unit=care_unit, starts_at=tomorrow_at(13),
                      ends_at=tomorrow_at(13, 30))
    with pytest.raises(ValidationError) as error:
        move(visit, clinician, 13, 15)
    assert "har redan ett besök då" in error.value.messages[0]
    VideoVisitFactory(patient=eva, care_unit=care_unit, starts_at=tomorrow_at(15),
                      ends_at=tomorrow_at(15, 30))
    with pytest.raises(ValidationError) as error:
        move(visit, clinician, 15)
    assert "Patienten har redan ett videobesök då" in error.value.messages[0]
    visit.refresh_from_db()
    assert timezone.localtime(visit.starts_at) == tomorrow_at(10)  # nothing moved
    assert not moved_notices()


def test_a_visit_does_not_stand_in_its_own_way(visit, clinician):
    move(visit, clinician, 10, 15)  # overlaps where it was
    visit.refresh_from_db()
    assert timezone.localtime(visit.starts_at) == tomorrow_at(10, 15)


@pytest.fixture
def booked(ref, clinician, care_unit, eva):
    """Eva's booked DiVL visit tomorrow at 9; alice's video times are 09–12."""
    ScheduleBlock.objects.create(clinician=clinician, care_unit=care_unit,
                                 activity=ref.video_activity, day=tomorrow_at(9).date(),
                                 start_time=datetime.time(9), end_time=datetime.time(12))
    starts = tomorrow_at(9)
    return booking_create(
        kind="single", care_unit=care_unit, owner=clinician, patient=eva, starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=30), contact_type=ref.divl,
        schedule_activity=ref.video_activity, visit_reason=ref.aterbesok,
        kallelse_template=ref.adult, kallelse_delivery="print", created_by=clinician)


def test_a_booked_visit_moves_with_its_booking(clinician, booked):  # B7
    moved = move(booked.video_visit, clinician, 11)
    booked.refresh_from_db()
    assert timezone.localtime(booked.starts_at) == tomorrow_at(11)
    assert moved.starts_at == booked.starts_at


@pytest.mark.parametrize(("hour", "minute"), [(21, 0), (11, 10), (8, 30)])
def test_a_booked_visit_moves_only_to_a_free_time_of_the_schedule(clinician, booked, hour,
                                                                  minute):  # B7
    with pytest.raises(ValidationError) as refused:
        move(booked.video_visit, clinician, hour, minute)
    assert refused.value.message_dict["start"] == [
        "Tiden är inte en ledig tid i schemat för Alice Lund. Välj en av de lediga tiderna."]
    booked.refresh_from_db()
    assert timezone.localtime(booked.starts_at) == tomorrow_at(9)
    assert timezone.localtime(booked.video_visit.starts_at) == tomorrow_at(9)


def test_on_the_visit_page_flytta_of_a_booked_visit_opens_the_bookings_free_times(
        client, alice, booked):  # B7
    visit = booked.video_visit
    url = reverse("bookings:detail", args=[booked.pk]) + "#change-heading"
    response = client.get(reverse("visits:reschedule", args=[visit.pk]), {"redigera": 1})
    assert response.status_code == 302 and response["Location"] == url
    response = client.get(reverse("visits:reschedule", args=[visit.pk]), {"redigera": 1},
                          headers=HTMX)
    assert response["HX-Redirect"] == url
    # A time posted to the visit page anyway gets the same rule, and nothing moves.
    response = edit(client, visit, day=tomorrow_at(21).date().isoformat(), start="21:00",
                    minutes="30")
    assert response.status_code == 422
    assert "Tiden är inte en ledig tid i schemat för Alice Lund" in response.content.decode()
    assert not OutboxMessage.objects.filter(subject="Videomöte flyttat").exists()


# The visit page


def edit(client, visit, **fields):
    return client.post(reverse("visits:reschedule", args=[visit.pk]), fields, headers=HTMX)


def test_the_editor_opens_in_place_with_the_visits_time(client, alice, visit):
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert ">Flytta</a>" in page
    content = client.get(reverse("visits:reschedule", args=[visit.pk]), {"redigera": 1},
                         headers=HTMX).content.decode()
    assert content.lstrip().startswith('<div id="reschedule-editor"')
    assert f'value="{tomorrow_at(10).date().isoformat()}"' in content
    assert 'value="10:00"' in content and '<option value="30" selected>' in content


def test_staff_move_the_visit_and_the_page_updates(client, alice, visit):  # B7, R1
    response = edit(client, visit, day=tomorrow_at(8).date().isoformat(), start="08:15",
                    minutes=20)
    assert response.status_code == 200
    assert "Besöket är flyttat till" in response.content.decode()
    assert f"visit-changed-{visit.pk}" in response["HX-Trigger"]
    panel = client.get(reverse("visits:panel", args=[visit.pk]), headers=HTMX).content.decode()
    assert "08:15–08:35" in panel
    assert AccessLogEntry.objects.filter(user=alice, patient=visit.patient,
                                         action="update").exists()  # S1


def test_a_refused_time_is_told_at_the_field_and_what_was_typed_stays(client, alice, visit,
                                                                      care_unit):
    VideoVisitFactory(owner=alice, care_unit=care_unit, starts_at=tomorrow_at(13),
                      ends_at=tomorrow_at(14))
    response = edit(client, visit, day=tomorrow_at(13).date().isoformat(), start="13:30",
                    minutes=45)
    assert response.status_code == 422
    content = response.content.decode()
    assert "har redan ett besök då" in content and 'aria-invalid="true"' in content
    assert 'value="13:30"' in content and '<option value="45" selected>' in content
    missing = edit(client, visit, day="", start="13:30", minutes=30)
    assert missing.status_code == 422 and "Detta fält måste fyllas i." in missing.content.decode()


def test_without_javascript_the_move_redirects_to_the_visit_page(client, alice, visit):
    url = reverse("visits:reschedule", args=[visit.pk])
    page = client.get(url, {"redigera": 1})
    assert page.status_code == 200 and "Flytta besöket" in page.content.decode()
    response = client.post(url, {"day": tomorrow_at(16).date().isoformat(), "start": "16:00",
                                 "minutes": 30}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("visits:detail", args=[visit.pk])
    content = response.content.decode()
    assert "Besöket är flyttat till" in content and "16:00–16:30" in content


def test_a_visit_that_has_begun_offers_no_move(client, alice, visit):
    VideoVisit.objects.filter(pk=visit.pk).update(state=VideoVisit.State.STARTED)
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert ">Flytta</a>" not in page
    response = client.get(reverse("visits:reschedule", args=[visit.pk]), {"redigera": 1},
                          headers=HTMX)
    assert response.status_code == 409 and "kan inte flyttas" in response.content.decode()
    refused = edit(client, visit, day=tomorrow_at(16).date().isoformat(), start="16:00",
                   minutes=30)
    assert refused.status_code == 409 and "kan inte flyttas" in refused.content.decode()


def test_an_outsider_cannot_move_the_visit(client, outsider, visit):  # S2
    client.force_login(outsider)
    response = edit(client, visit, day=tomorrow_at(16).date().isoformat(), start="16:00",
                    minutes=30)
    assert response.status_code == 403
    visit.refresh_from_db()
    assert timezone.localtime(visit.starts_at) == tomorrow_at(10)
