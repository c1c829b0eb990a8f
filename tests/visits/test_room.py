"""The video room's socket through the real ASGI app and the Redis channel layer (R1–R5)."""

import base64
import datetime
import hashlib
import hmac
import logging

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from guests.joining import EID_SESSION_KEY, LINK_SESSION_KEY, SESSION_KEY
from guests.models import Participant
from guests.services import (
    link_issue,
    participant_add,
    participant_admit,
    participant_refuse,
    participant_remove,
)
from tests.visits.factories import VideoVisitFactory
from videovisit.asgi import application
from visits import room
from visits.models import RoomPresence, VideoVisit
from visits.services import visit_finish, visit_transition

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def staff_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@database_sync_to_async
def join_cookie(participant, *, identified: bool = True) -> str:
    session = SessionStore()
    session[SESSION_KEY] = participant.pk
    session[LINK_SESSION_KEY] = participant.links.get(revoked_at__isnull=True).pk
    if identified:
        session[EID_SESSION_KEY] = participant.pk
    session.create()
    return session.session_key


def socket(visit, cookie: str | None, connection: str = "") -> WebsocketCommunicator:
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    query = f"?c={connection}" if connection else ""
    return WebsocketCommunicator(application, f"/ws/visit/{visit.pk}/{query}", headers=headers)


async def enter(visit, cookie: str, connection: str = "") -> WebsocketCommunicator:
    ws = socket(visit, cookie, connection)
    connected, _ = await ws.connect()
    assert connected
    welcome = await ws.receive_json_from(timeout=5)
    assert welcome["type"] == "welcome", welcome
    return ws


async def next_message(ws, kind: str, timeout: float = 5, **match) -> dict:
    """The next message of `kind` (and with the `match` fields), skipping others."""
    while True:
        message = await ws.receive_json_from(timeout=timeout)
        if message["type"] == kind and all(message.get(k) == v for k, v in match.items()):
            return message


async def drain(ws, seconds: float = 1) -> list[dict]:
    """Every message that arrives until the socket has been quiet for `seconds`."""
    messages = []
    while not await ws.receive_nothing(timeout=seconds):
        messages.append(await ws.receive_json_from())
    return messages


def kinds(messages: list[dict]) -> set[str]:
    return {m["type"] for m in messages}


async def refused(visit, cookie: str | None) -> bool:
    ws = socket(visit, cookie)
    connected, _ = await ws.connect()
    await ws.disconnect(timeout=10)
    return not connected


def add(visit, kind=Participant.Kind.GUEST, first_name="Gäst", **fields) -> Participant:
    fields = {"channel": Participant.Channel.NONE} | fields
    return participant_add(visit=visit, kind=kind, first_name=first_name, last_name="Ek",
                           **fields)[0]


@pytest.fixture
def visit(clinician, care_unit):
    return VideoVisitFactory(owner=clinician, care_unit=care_unit,
                             state=VideoVisit.State.STARTED)


@pytest.fixture
def patient(visit):
    return add(visit, Participant.Kind.PATIENT, first_name=visit.patient.first_name,
               personnummer=visit.patient.personnummer)


@pytest.fixture
def guest(visit):
    return add(visit, Participant.Kind.INTERPRETER, first_name="Tolk")


async def live(visit, user) -> None:
    await database_sync_to_async(visit_transition)(visit=visit, action="start_meeting",
                                                   user=user)


async def admit(participant) -> None:
    """Släpp in: staff let someone into the live meeting (R2)."""
    await database_sync_to_async(participant_admit)(participant=participant)


def staff_page_socket(cookie: str) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, "/ws/staff/", headers=[
        (b"origin", b"http://localhost"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode())])


async def test_the_owner_and_a_colleague_of_the_unit_enter(visit, clinician, colleague_same_unit):
    owner = await enter(visit, await staff_cookie(clinician))
    state = await next_message(owner, "state")
    assert state["you"] == f"s{clinician.pk}" and state["status"] == "waiting"
    colleague = await enter(visit, await staff_cookie(colleague_same_unit))
    state = await next_message(colleague, "state")
    assert [p["id"] for p in state["peers"]] == [f"s{clinician.pk}"]
    await owner.disconnect(timeout=10)
    await colleague.disconnect(timeout=10)


async def test_an_outsider_and_an_anonymous_socket_are_refused(visit, outsider):  # S2
    assert await refused(visit, await staff_cookie(outsider))
    assert await refused(visit, None)


async def test_a_participant_of_another_visit_is_refused(visit, clinician, care_unit):
    other = await database_sync_to_async(VideoVisitFactory)(owner=clinician, care_unit=care_unit)
    stranger = await database_sync_to_async(add)(other)
    assert await refused(visit, await join_cookie(stranger))


async def test_a_patient_must_be_identified_with_eid_a_guest_need_not(visit, patient, guest):  # G4
    assert await refused(visit, await join_cookie(patient, identified=False))
    ws = await enter(visit, await join_cookie(patient))
    await ws.disconnect(timeout=10)
    ws = await enter(visit, await join_cookie(guest, identified=False))
    await ws.disconnect(timeout=10)


async def test_a_removed_participant_is_refused(visit, guest):  # G5
    cookie = await join_cookie(guest)
    await database_sync_to_async(participant_remove)(participant=guest)
    assert await refused(visit, cookie)


async def test_a_session_from_a_replaced_link_is_refused(visit, guest):  # G5
    cookie = await join_cookie(guest)
    await database_sync_to_async(link_issue)(participant=guest)
    assert await refused(visit, cookie)


async def test_people_wait_until_the_meeting_starts_then_all_are_admitted(
        visit, clinician, patient, guest):  # R2
    patient_ws = await enter(visit, await join_cookie(patient))
    assert (await next_message(patient_ws, "state"))["status"] == "waiting"
    waiting = await database_sync_to_async(
        lambda: list(VideoVisit.objects.with_waiting().values_list("waiting", flat=True)))()
    assert waiting == [1]  # R1: the start page's sign

    await live(visit, clinician)
    state = await next_message(patient_ws, "state", status="in_meeting")
    assert state["visit_state"] == "video_live"

    later = await enter(visit, await join_cookie(guest))  # a later arrival waits for staff
    state = await next_message(later, "state")
    assert state["status"] == "waiting"
    assert state["peers"] == []  # nobody's name before being let in
    await admit(guest)
    state = await next_message(later, "state", status="in_meeting")
    assert [(p["id"], p["status"]) for p in state["peers"]] == [(f"p{patient.pk}", "in_meeting")]
    await patient_ws.disconnect(timeout=10)
    await later.disconnect(timeout=10)


async def test_someone_waiting_sees_the_staff_but_not_who_else_is_in_the_meeting(
        visit, clinician, patient, guest):  # R2, P8
    """A late arrival who may yet be refused learns no patient's or guest's name."""
    await live(visit, clinician)
    await admit(patient)
    staff = await enter(visit, await staff_cookie(clinician))
    in_meeting = await enter(visit, await join_cookie(patient))
    late = await enter(visit, await join_cookie(guest))
    state = await next_message(late, "state")
    assert state["status"] == "waiting"
    assert [p["id"] for p in state["peers"]] == [f"s{clinician.pk}"]
    assert visit.patient.first_name not in str(state)
    await admit(guest)
    state = await next_message(late, "state", status="in_meeting")
    assert {p["id"] for p in state["peers"]} == {f"s{clinician.pk}", f"p{patient.pk}"}
    for ws in (staff, in_meeting, late):
        await ws.disconnect(timeout=10)


async def test_a_late_arrival_waits_until_staff_let_them_in(visit, clinician, guest):  # R1, R2
    await live(visit, clinician)
    staff = await enter(visit, await staff_cookie(clinician))
    staff_page = staff_page_socket(await staff_cookie(clinician))
    assert (await staff_page.connect())[0]
    late = await enter(visit, await join_cookie(guest))
    assert (await next_message(late, "state"))["status"] == "waiting"
    state = await next_message(staff, "state")
    while not state["peers"]:
        state = await next_message(staff, "state")
    assert [(p["id"], p["name"], p["role"], p["status"]) for p in state["peers"]] == [
        (f"p{guest.pk}", "Tolk Ek", "Tolk", "waiting")]
    waiting = await database_sync_to_async(
        lambda: list(VideoVisit.objects.with_waiting().values_list("waiting", flat=True)))()
    assert waiting == [1]  # the start page's sign, while the meeting is live too
    # Nor can someone waiting be reached by the meeting's signalling (R3).
    await staff.send_json_to({"type": "signal", "to": f"p{guest.pk}", "data": {"x": 1}})
    assert "signal" not in kinds(await drain(late, 0.5))
    await drain(staff_page, 0.5)

    await admit(guest)
    assert (await next_message(late, "state", status="in_meeting"))["peers"][0]["id"] == \
        f"s{clinician.pk}"
    assert await staff_page.receive_json_from(timeout=5) == {"type": "room.changed",
                                                             "visit": visit.pk}
    state = await next_message(staff, "state")
    while state["peers"][0]["status"] != "in_meeting":
        state = await next_message(staff, "state")
    await staff.send_json_to({"type": "signal", "to": f"p{guest.pk}", "data": {"x": 2}})
    assert (await next_message(late, "signal"))["data"] == {"x": 2}
    for ws in (staff, staff_page, late):
        await ws.disconnect(timeout=10)


async def test_someone_let_in_comes_back_after_a_drop_without_waiting(
        visit, clinician, patient, guest):  # R2, R4
    """Let in by the start or by Släpp in: kept in the database, not in a consumer, so a
    new socket (after a drop, a reload or on another server) goes straight back in."""
    patient_cookie, guest_cookie = await join_cookie(patient), await join_cookie(guest)
    before_start = await enter(visit, patient_cookie)
    await live(visit, clinician)
    await next_message(before_start, "state", status="in_meeting")
    late = await enter(visit, guest_cookie)
    await next_message(late, "state", status="waiting")
    await admit(guest)
    await next_message(late, "state", status="in_meeting")
    for ws in (before_start, late):
        await ws.disconnect(timeout=10)
    assert not await database_sync_to_async(RoomPresence.objects.exists)()

    for cookie in (patient_cookie, guest_cookie):
        back = await enter(visit, cookie)
        assert (await next_message(back, "state"))["status"] == "in_meeting"
        await back.disconnect(timeout=10)


async def test_a_refused_person_is_told_and_their_link_still_opens_the_waiting_room(
        visit, clinician, guest):  # R2, G5
    await live(visit, clinician)
    staff = await enter(visit, await staff_cookie(clinician))
    cookie = await join_cookie(guest)
    late = await enter(visit, cookie)
    await next_message(late, "state", status="waiting")
    await database_sync_to_async(participant_refuse)(participant=guest)
    closed = await next_message(late, "closed")
    assert closed["code"] == room.CLOSE_REFUSED
    assert "inte släppt in dig" in closed["message"]
    assert (await late.receive_output(timeout=5))["type"] == "websocket.close"
    await late.disconnect(timeout=10)
    state = await next_message(staff, "state")
    while state["peers"]:
        state = await next_message(staff, "state")

    again = await enter(visit, cookie)  # not removed: back in the waiting room
    assert (await next_message(again, "state"))["status"] == "waiting"
    for ws in (staff, again):
        await ws.disconnect(timeout=10)


async def test_someone_invited_to_be_let_in_directly_goes_straight_in(visit, clinician):  # R2
    colleague = await database_sync_to_async(add)(
        visit, Participant.Kind.COLLEAGUE, first_name="Kollega", admit_directly=True)
    await live(visit, clinician)
    ws = await enter(visit, await join_cookie(colleague))
    assert (await next_message(ws, "state"))["status"] == "in_meeting"
    await ws.disconnect(timeout=10)


async def test_staff_pages_hear_that_someone_entered_the_room(visit, clinician, guest):  # R1
    staff_page = staff_page_socket(await staff_cookie(clinician))
    assert (await staff_page.connect())[0]
    ws = await enter(visit, await join_cookie(guest))
    assert await staff_page.receive_json_from(timeout=5) == {"type": "room.changed",
                                                             "visit": visit.pk}
    await ws.disconnect(timeout=10)
    assert await staff_page.receive_json_from(timeout=5) == {"type": "room.changed",
                                                             "visit": visit.pk}
    await staff_page.disconnect(timeout=10)


async def test_signalling_reaches_only_the_addressed_peer_of_the_same_room(
        visit, clinician, care_unit, patient, guest):  # R3
    other_visit = await database_sync_to_async(VideoVisitFactory)(
        owner=clinician, care_unit=care_unit, state=VideoVisit.State.VIDEO_LIVE)
    stranger = await database_sync_to_async(add)(other_visit, first_name="Främling")
    await live(visit, clinician)
    for participant in (patient, guest, stranger):
        await admit(participant)
    staff = await enter(visit, await staff_cookie(clinician))
    to_patient = await enter(visit, await join_cookie(patient))
    bystander = await enter(visit, await join_cookie(guest))
    outside = await enter(other_visit, await join_cookie(stranger))

    offer = {"description": {"type": "offer", "sdp": "v=0"}}
    await staff.send_json_to({"type": "signal", "to": f"p{patient.pk}", "data": offer})
    message = await next_message(to_patient, "signal")
    assert message["from"] == f"s{clinician.pk}" and message["data"] == offer

    # Nor across rooms: the stranger is in another visit's meeting.
    await staff.send_json_to({"type": "signal", "to": f"p{stranger.pk}", "data": offer})
    # And the stranger cannot reach into this room.
    await outside.send_json_to({"type": "signal", "to": f"s{clinician.pk}", "data": offer})
    for ws in (bystander, outside, staff):
        assert "signal" not in kinds(await drain(ws))
    for ws in (staff, to_patient, bystander, outside):
        await ws.disconnect(timeout=10)


async def test_a_burst_of_signals_arrives_whole_and_in_order(visit, clinician, patient):  # R3
    """A meeting set-up sends an offer and its candidates at once; the page needs them
    in the order sent, and a frame that is not a signal must not end the meeting."""
    await live(visit, clinician)
    await admit(patient)
    staff = await enter(visit, await staff_cookie(clinician))
    to_patient = await enter(visit, await join_cookie(patient))
    await next_message(staff, "state")  # the patient is in: the staff socket knows them
    await staff.send_to(text_data="not json")
    await staff.send_to(text_data="[]")
    await staff.send_json_to({"type": "signal", "to": f"p{patient.pk}",
                              "data": {"sdp": "x" * (64 * 1024)}})  # too long
    burst = [{"description": {"type": "offer", "sdp": "v=0"}}] + [
        {"candidate": {"candidate": f"candidate:{n}"}} for n in range(30)]
    for data in burst:
        await staff.send_json_to({"type": "signal", "to": f"p{patient.pk}", "data": data})
    received = [(await next_message(to_patient, "signal"))["data"] for _ in burst]
    assert received == burst
    assert "signal" not in kinds(await drain(to_patient, 0.5))
    for ws in (staff, to_patient):
        await ws.disconnect(timeout=10)


async def test_a_frame_nested_thousands_deep_is_ignored_and_the_meeting_goes_on(
        visit, clinician, patient, caplog):  # R3
    """A 10 kB frame of 5,000 nested arrays once ended the sender's socket (1011) with
    a traceback; now it is ignored with a warning and the next signal is relayed."""
    await live(visit, clinician)
    await admit(patient)
    staff = await enter(visit, await staff_cookie(clinician))
    to_patient = await enter(visit, await join_cookie(patient))
    await next_message(staff, "state")
    offer = {"description": {"type": "offer", "sdp": "v=0"}}
    with caplog.at_level(logging.WARNING):
        await staff.send_to(text_data="[" * 5000 + "]" * 5000)
        await staff.send_to(bytes_data=b"\x00\x01")
        await staff.send_json_to({"type": "signal", "to": f"p{patient.pk}", "data": offer})
        assert (await next_message(to_patient, "signal"))["data"] == offer
    assert [r.getMessage() for r in caplog.records if r.name == "videovisit.sockets"] == [
        "RoomConsumer ignored a frame nested too deeply.",
        "RoomConsumer ignored an empty or binary frame."]
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert "[[" not in caplog.text
    for ws in (staff, to_patient):
        await ws.disconnect(timeout=10)


async def test_a_waiting_person_cannot_signal_into_the_meeting(visit, clinician, guest, patient):
    patient_ws = await enter(visit, await join_cookie(patient))
    guest_ws = await enter(visit, await join_cookie(guest))
    await guest_ws.send_json_to({"type": "signal", "to": f"p{patient.pk}",
                                 "data": {"candidate": None}})
    assert "signal" not in kinds(await drain(patient_ws))
    await patient_ws.disconnect(timeout=10)
    await guest_ws.disconnect(timeout=10)


async def test_a_removed_participant_is_disconnected_at_once(visit, clinician, guest):  # G1, G5
    await live(visit, clinician)
    await admit(guest)
    staff = await enter(visit, await staff_cookie(clinician))
    ws = await enter(visit, await join_cookie(guest))
    await database_sync_to_async(participant_remove)(participant=guest)
    closed = await next_message(ws, "closed")
    assert closed["code"] == room.CLOSE_REMOVED and "tagit bort" in closed["message"]
    assert (await ws.receive_output(timeout=5))["type"] == "websocket.close"
    await ws.disconnect(timeout=10)
    # The others see the change: the removed guest is gone from their room.
    state = await next_message(staff, "state", timeout=5)
    while state["peers"]:
        state = await next_message(staff, "state", timeout=5)
    await staff.disconnect(timeout=10)


async def test_a_seventh_person_gets_a_clear_message(visit, clinician):  # R3
    await live(visit, clinician)
    guests = [await database_sync_to_async(add)(visit, first_name=f"Gäst{n}") for n in range(7)]
    inside = [await enter(visit, await join_cookie(g)) for g in guests[:6]]
    seventh = socket(visit, await join_cookie(guests[6]))
    assert (await seventh.connect())[0]
    closed = await next_message(seventh, "closed")
    assert closed["code"] == room.CLOSE_FULL and "fullt" in closed["message"]
    assert "6" in closed["message"]
    for ws in [*inside, seventh]:
        await ws.disconnect(timeout=10)


async def test_presence_lives_in_the_database_not_in_one_consumer(visit, clinician, patient):
    # R4: a consumer in another process (here: a new instance) sees who waits.
    ws = await enter(visit, await join_cookie(patient))
    assert await database_sync_to_async(
        RoomPresence.objects.filter(visit=visit, peer=f"p{patient.pk}").exists)()
    staff = await enter(visit, await staff_cookie(clinician))
    state = await next_message(staff, "state")
    assert [(p["id"], p["status"]) for p in state["peers"]] == [(f"p{patient.pk}", "waiting")]
    await ws.disconnect(timeout=10)
    await staff.disconnect(timeout=10)
    assert not await database_sync_to_async(RoomPresence.objects.exists)()


async def test_a_reconnected_socket_replaces_the_old_one_and_gets_a_snapshot(
        visit, clinician, patient):  # R4
    await live(visit, clinician)
    await admit(patient)
    cookie = await join_cookie(patient)
    first = await enter(visit, cookie)
    second = await enter(visit, cookie)
    assert (await next_message(second, "state"))["status"] == "in_meeting"
    closed = await next_message(first, "closed")
    assert closed["code"] == room.CLOSE_REPLACED
    await first.disconnect(timeout=10)
    staff = await enter(visit, await staff_cookie(clinician))
    state = await next_message(staff, "state")
    assert [p["id"] for p in state["peers"]] == [f"p{patient.pk}"]  # the newer one stays
    await second.disconnect(timeout=10)
    await staff.disconnect(timeout=10)


async def test_a_socket_back_after_a_drop_keeps_its_media_session(visit, clinician, patient):
    # R4: the page reconnects with the id of its media session; the others see the same
    # connection and keep their peer connection, and the old socket's end removes nothing.
    await live(visit, clinician)
    await admit(patient)
    staff = await enter(visit, await staff_cookie(clinician))
    cookie = await join_cookie(patient)
    before = await enter(visit, cookie, connection="media-session-1")
    state = await next_message(staff, "state")
    while not state["peers"]:
        state = await next_message(staff, "state")
    assert state["peers"][0]["connection"] == "media-session-1"
    after = await enter(visit, cookie, connection="media-session-1")
    assert (await next_message(after, "state"))["connection"] == "media-session-1"
    await before.disconnect(timeout=10)  # the dropped socket's late goodbye
    await staff.send_json_to({"type": "signal", "to": f"p{patient.pk}", "data": {"x": 1}})
    assert (await next_message(after, "signal"))["data"] == {"x": 1}
    assert await database_sync_to_async(
        RoomPresence.objects.filter(peer=f"p{patient.pk}", connection="media-session-1").exists)()
    await after.disconnect(timeout=10)
    await staff.disconnect(timeout=10)


async def test_ending_the_meeting_disconnects_everyone_and_the_room_stays_closed(
        visit, clinician, patient, guest):  # R5
    await live(visit, clinician)
    sockets = [await enter(visit, await staff_cookie(clinician)),
               await enter(visit, await join_cookie(patient)),
               await enter(visit, await join_cookie(guest))]
    await database_sync_to_async(visit_transition)(visit=visit, action="end_meeting",
                                                   user=clinician)
    for ws in sockets:
        closed = await next_message(ws, "closed")
        assert closed["code"] == room.CLOSE_ENDED and "avslutat" in closed["message"]
    again = socket(visit, await join_cookie(guest))
    assert (await again.connect())[0]
    assert (await next_message(again, "closed"))["code"] == room.CLOSE_ENDED
    await again.disconnect(timeout=10)
    await database_sync_to_async(visit_finish)(visit=visit, user=clinician, journaled=None)
    after = socket(visit, await join_cookie(guest))
    assert (await after.connect())[0]
    closed = await next_message(after, "closed")
    assert closed["code"] == room.CLOSE_ENDED and "Besöket är avslutat" in closed["message"]
    await after.disconnect(timeout=10)
    for ws in sockets:
        await ws.disconnect(timeout=10)


def test_turn_credentials_follow_coturns_rest_scheme(settings):  # R3
    settings.ROOM_STUN_URLS = ["stun:turn.example.se:3478"]
    settings.ROOM_TURN_URLS = ["turn:turn.example.se:3478?transport=udp"]
    settings.TURN_SECRET = "s3cret"
    servers = room.ice_servers("p7", now=1_000_000)
    assert servers[0] == {"urls": ["stun:turn.example.se:3478"]}
    turn = servers[1]
    expiry = 1_000_000 + int(settings.TURN_CREDENTIAL_TTL.total_seconds())
    assert turn["username"] == f"{expiry}:p7"
    digest = hmac.new(b"s3cret", turn["username"].encode(), hashlib.sha1).digest()
    assert turn["credential"] == base64.b64encode(digest).decode()


def test_no_ice_servers_are_configured_by_default():
    assert room.ice_servers("s1") == []


@database_sync_to_async
def signed_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


async def test_signing_out_closes_the_sessions_room_and_page_sockets(
        visit, clinician, colleague_same_unit):  # S3
    await live(visit, clinician)
    client = await signed_in_client(clinician)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    colleague = await enter(visit, await staff_cookie(colleague_same_unit))
    ws = await enter(visit, cookie)
    page = WebsocketCommunicator(application, "/ws/staff/", headers=[
        (b"origin", b"http://localhost"), (b"host", b"localhost"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode())])
    assert (await page.connect())[0]

    await database_sync_to_async(client.post)(reverse("logout"))
    closed = await next_message(ws, "closed")
    assert closed["code"] == room.CLOSE_SIGNED_OUT and "loggats ut" in closed["message"]
    assert await page.receive_json_from(timeout=5) == {"type": "session.ended"}
    assert (await page.receive_output(timeout=5))["type"] == "websocket.close"
    assert "closed" not in kinds(await drain(colleague))
    for communicator in (ws, page, colleague):
        await communicator.disconnect(timeout=10)


async def test_a_session_ended_by_the_idle_timeout_leaves_the_room_at_the_heartbeat(
        visit, clinician, settings):  # S3
    await live(visit, clinician)
    client = await signed_in_client(clinician)
    ws = await enter(visit, client.cookies[settings.SESSION_COOKIE_NAME].value)
    await ws.send_json_to({"type": "ping"})
    assert (await next_message(ws, "pong"))["type"] == "pong"

    settings.STAFF_IDLE_TIMEOUT = datetime.timedelta(seconds=0)
    await ws.send_json_to({"type": "ping"})
    closed = await next_message(ws, "closed")
    assert closed["code"] == room.CLOSE_SIGNED_OUT
    await ws.disconnect(timeout=10)


async def test_a_socket_on_a_replaced_link_is_closed_at_its_next_heartbeat(
        visit, clinician, guest):  # G5
    await live(visit, clinician)
    ws = await enter(visit, await join_cookie(guest))
    await ws.send_json_to({"type": "ping"})
    assert (await next_message(ws, "pong"))["type"] == "pong"
    await database_sync_to_async(link_issue)(participant=guest)
    await ws.send_json_to({"type": "ping"})
    closed = await next_message(ws, "closed")
    assert closed["code"] == room.CLOSE_REMOVED and "senaste länken" in closed["message"]
    await ws.disconnect(timeout=10)


async def test_heartbeats_at_the_same_moment_are_answered_together_each_its_own_way(
        visit, clinician, colleague_same_unit, guest, patient, settings):  # R4, S3, G5
    """Gathered into one database call, each socket still gets its own answer: the
    colleague signed out and the guest on a replaced link leave, the others stay."""
    await live(visit, clinician)
    owner = await enter(visit, await staff_cookie(clinician))
    colleague_client = await signed_in_client(colleague_same_unit)
    colleague = await enter(visit, colleague_client.cookies[settings.SESSION_COOKIE_NAME].value)
    guest_ws = await enter(visit, await join_cookie(guest))
    patient_ws = await enter(visit, await join_cookie(patient))
    await drain(owner, 0.5)

    await database_sync_to_async(link_issue)(participant=guest)
    await database_sync_to_async(Session.objects.filter(
        session_key=colleague_client.cookies[settings.SESSION_COOKIE_NAME].value).delete)()
    for ws in (owner, colleague, guest_ws, patient_ws):
        await ws.send_json_to({"type": "ping"})
    assert (await next_message(owner, "pong"))["type"] == "pong"
    assert (await next_message(patient_ws, "pong"))["type"] == "pong"
    assert (await next_message(colleague, "closed"))["code"] == room.CLOSE_SIGNED_OUT
    assert (await next_message(guest_ws, "closed"))["code"] == room.CLOSE_REMOVED
    for ws in (owner, colleague, guest_ws, patient_ws):
        await ws.disconnect(timeout=10)


def test_a_moment_of_heartbeats_costs_the_same_few_queries_however_many(
        clinician, care_unit, django_assert_max_num_queries):  # R4
    def beats(count: int) -> list[room.Beat]:
        result = []
        for _ in range(count):
            visit = VideoVisitFactory(owner=clinician, care_unit=care_unit,
                                      state=VideoVisit.State.VIDEO_LIVE)
            guest = add(visit)
            session = SessionStore()
            session[SESSION_KEY] = guest.pk
            session[LINK_SESSION_KEY] = guest.links.get().pk
            session.create()
            member = room.Member(visit_id=visit.pk, peer=f"p{guest.pk}", name="Gäst Ek",
                                 role="Gäst", participant_id=guest.pk)
            RoomPresence.objects.create(visit=visit, peer=member.peer, participant=guest,
                                        name="Gäst Ek", role="Gäst", channel_name=f"c{guest.pk}",
                                        connection="x")
            loaded = SessionStore(session.session_key)
            loaded.get(SESSION_KEY)  # read once, as the socket's connect does
            result.append(room.Beat({"session": loaded}, member, f"c{guest.pk}"))
        staff = SessionStore()
        staff.update({"_auth_user_id": str(clinician.pk)})
        staff.create()
        result.append(room.Beat({"session": staff}, room.Member(
            visit_id=result[0].member.visit_id, peer=f"s{clinician.pk}", name="Alice Lund",
            role="Läkare", user_id=clinician.pk), "gone"))
        return result

    few, many = beats(2), beats(30)
    with django_assert_max_num_queries(4):
        assert room.room_heartbeats(few) == [True, True, False]
    with django_assert_max_num_queries(4):
        answers = room.room_heartbeats(many)
    assert answers == [True] * 30 + [False]  # the staff socket holds no place here


async def test_a_signal_does_not_wait_behind_the_heartbeat_before_it(
        visit, clinician, patient, settings):  # R3, R4
    settings.ROOM_HEARTBEAT_GATHER_SECONDS = 3
    await live(visit, clinician)
    await admit(patient)
    staff = await enter(visit, await staff_cookie(clinician))
    to_patient = await enter(visit, await join_cookie(patient))
    await next_message(staff, "state")
    await staff.send_json_to({"type": "ping"})
    offer = {"description": {"type": "offer", "sdp": "v=0"}}
    await staff.send_json_to({"type": "signal", "to": f"p{patient.pk}", "data": offer})
    assert (await next_message(to_patient, "signal", timeout=1))["data"] == offer
    assert (await next_message(staff, "pong", timeout=5))["type"] == "pong"
    for ws in (staff, to_patient):
        await ws.disconnect(timeout=10)
