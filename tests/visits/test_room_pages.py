"""What staff pages show of the video room: the waiting sign and the room itself (R1)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from guests.models import Participant
from guests.services import participant_add
from tests.visits.factories import VideoVisitFactory
from visits.models import RoomPresence, VideoVisit

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(clinician, care_unit):
    return VideoVisitFactory(owner=clinician, care_unit=care_unit,
                             state=VideoVisit.State.STARTED)


def waiting_in(visit, *, seen_ago: int = 0) -> RoomPresence:
    participant, _token = participant_add(visit=visit, kind=Participant.Kind.INTERPRETER,
                                          first_name="Tolk", last_name="Digital",
                                          channel="none")
    return RoomPresence.objects.create(
        visit=visit, peer=f"p{participant.pk}", participant=participant, name="Tolk Digital",
        role="Tolk", channel_name="x", connection="c",
        seen_at=timezone.now() - datetime.timedelta(seconds=seen_ago))


def test_the_start_page_and_the_visit_page_show_who_waits(client, clinician, visit):  # R1
    waiting_in(visit)
    client.force_login(clinician)
    start = client.get(reverse("visits:start")).content.decode()
    assert "1 väntar" in start
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "Tolk Digital" in page and "data-waiting" in page


def test_nobody_waits_once_the_meeting_is_live_or_when_the_socket_went_quiet(
        client, clinician, visit, settings):  # R2, R4
    presence = waiting_in(visit, seen_ago=int(settings.ROOM_PRESENCE_TTL.total_seconds()) + 5)
    client.force_login(clinician)
    assert "väntar" not in client.get(reverse("visits:start")).content.decode()
    presence.seen_at = timezone.now()
    presence.save()
    VideoVisit.objects.filter(pk=visit.pk).update(state=VideoVisit.State.VIDEO_LIVE)
    assert "väntar" not in client.get(reverse("visits:start")).content.decode()


def test_the_visit_page_carries_the_staff_room(client, clinician, visit):  # R3
    client.force_login(clinician)
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert 'data-room-mode="staff"' in page and f"/ws/visit/{visit.pk}/" in page
    assert 'data-visit-state="started"' in page
