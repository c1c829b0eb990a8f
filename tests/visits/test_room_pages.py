"""What staff pages show of the video room: the waiting sign and the room itself (R1)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry
from guests.models import Participant
from guests.services import participant_add, participant_admit
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


def test_someone_waits_while_the_meeting_is_live_until_let_in_or_the_socket_went_quiet(
        client, clinician, visit, settings):  # R2, R4
    presence = waiting_in(visit, seen_ago=int(settings.ROOM_PRESENCE_TTL.total_seconds()) + 5)
    client.force_login(clinician)
    assert "väntar" not in client.get(reverse("visits:start")).content.decode()
    presence.seen_at = timezone.now()
    presence.save()
    VideoVisit.objects.filter(pk=visit.pk).update(state=VideoVisit.State.VIDEO_LIVE)
    assert "1 väntar" in client.get(reverse("visits:start")).content.decode()
    participant_admit(participant=presence.participant)
    assert "väntar" not in client.get(reverse("visits:start")).content.decode()


def test_starting_the_meeting_lets_in_everyone_waiting_for_good(client, alice, visit):  # V2, R2
    presence = waiting_in(visit)
    client.post(reverse("visits:transition", args=[visit.pk, "start_meeting"]))
    presence.refresh_from_db()
    assert presence.status == RoomPresence.Status.IN_MEETING
    assert presence.participant.admitted_at is not None  # R4: back in after a drop
    assert "väntar" not in client.get(reverse("visits:start")).content.decode()


def live_with_someone_waiting(visit) -> RoomPresence:
    VideoVisit.objects.filter(pk=visit.pk).update(state=VideoVisit.State.VIDEO_LIVE)
    return waiting_in(visit)


def test_the_visit_page_shows_who_waits_with_let_in_and_refuse(client, alice, visit):  # R2
    presence = live_with_someone_waiting(visit)
    part = client.get(reverse("visits:room_presence", args=[visit.pk]),
                      headers={"HX-Request": "true"}).content.decode()
    assert "Väntar: Tolk Digital, Tolk" in part
    pk = presence.participant_id
    assert reverse("visits:room-admit", args=[visit.pk, pk]) in part
    assert reverse("visits:room-refuse", args=[visit.pk, pk]) in part
    assert "Släpp in" in part and "Neka" in part


def test_staff_let_in_someone_who_waits(client, alice, visit):  # R2, S1
    presence = live_with_someone_waiting(visit)
    response = client.post(reverse("visits:room-admit", args=[visit.pk, presence.participant_id]),
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tolk Digital är insläppt i videomötet." in page
    assert 'hx-swap-oob="true"' in page and "Väntar:" not in page
    presence.refresh_from_db()
    assert presence.status == RoomPresence.Status.IN_MEETING
    assert presence.participant.admitted_at is not None
    assert AccessLogEntry.objects.filter(user=alice, patient=visit.patient, action="update",
                                         object_id=str(visit.pk)).exists()


def test_staff_refuse_someone_who_waits_who_keeps_the_link(client, alice, visit):  # R2, G5
    presence = live_with_someone_waiting(visit)
    response = client.post(reverse("visits:room-refuse", args=[visit.pk, presence.participant_id]),
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Tolk Digital släpps inte in" in response.content.decode()
    participant = presence.participant
    participant.refresh_from_db()
    assert participant.admitted_at is None and participant.removed_at is None
    assert participant.links.filter(revoked_at__isnull=True).exists()


def test_let_in_and_refuse_say_why_not_when_they_do_not_fit(client, alice, visit):  # R2
    presence = waiting_in(visit)  # the meeting has not started
    admit = reverse("visits:room-admit", args=[visit.pk, presence.participant_id])
    response = client.post(admit, headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert "Videomötet pågår inte" in response.content.decode()
    VideoVisit.objects.filter(pk=visit.pk).update(state=VideoVisit.State.VIDEO_LIVE)
    client.post(admit, headers={"HX-Request": "true"})
    response = client.post(reverse("visits:room-refuse", args=[visit.pk, presence.participant_id]),
                           headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert "Tolk Digital är redan insläppt" in response.content.decode()
    # Without JavaScript: back to the visit page, which says it.
    response = client.post(admit, follow=True)
    assert "Tolk Digital är insläppt i videomötet." in response.content.decode()


def test_an_outsider_can_neither_let_in_nor_refuse(client, outsider, visit):  # S2
    presence = live_with_someone_waiting(visit)
    client.force_login(outsider)
    for name in ("visits:room-admit", "visits:room-refuse"):
        response = client.post(reverse(name, args=[visit.pk, presence.participant_id]),
                               headers={"HX-Request": "true"})
        assert response.status_code == 403
    presence.refresh_from_db()
    assert presence.status == RoomPresence.Status.WAITING
    assert presence.participant.admitted_at is None
    assert AccessLogEntry.objects.filter(user=outsider, outcome="denied").count() == 2  # S1


def test_a_participant_of_another_visit_cannot_be_let_in_through_this_one(
        client, alice, visit, care_unit):
    other = VideoVisitFactory(owner=alice, care_unit=care_unit,
                              state=VideoVisit.State.VIDEO_LIVE)
    stranger = live_with_someone_waiting(other)
    response = client.post(reverse("visits:room-admit", args=[visit.pk, stranger.participant_id]))
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.participant.admitted_at is None


def test_the_visit_page_carries_the_staff_room(client, clinician, visit):  # R3
    client.force_login(clinician)
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert 'data-room-mode="staff"' in page and f"/ws/visit/{visit.pk}/" in page
    assert 'data-visit-state="started"' in page


def test_who_is_in_the_room_is_its_own_part_of_the_visit_page(client, clinician, outsider,
                                                              visit):  # R1, S2
    waiting_in(visit)
    client.force_login(clinician)
    part = client.get(reverse("visits:room_presence", args=[visit.pk]),
                      headers={"HX-Request": "true"}).content.decode()
    assert 'id="room-presence"' in part and "Tolk Digital" in part and "Anteckningar" not in part
    client.force_login(outsider)
    assert client.get(reverse("visits:room_presence", args=[visit.pk])).status_code == 403
