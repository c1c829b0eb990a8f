"""The staff socket through the real ASGI stack and the Redis channel layer."""

import asyncio
import datetime
import logging

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from audit.models import AccessLogEntry
from guests.models import Participant
from guests.services import participant_add, participant_remove
from tests.visits.factories import VideoVisitFactory
from videovisit.asgi import application
from visits.realtime import staff_group
from visits.services import visit_transition

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def session_cookie_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def communicator(cookie: str | None = None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, "/ws/staff/", headers=headers)


async def test_signed_in_staff_get_events_relayed_through_redis(clinician):
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == \
        "videovisit.channel_layer.BatchingPubSubChannelLayer"
    ws = communicator(await session_cookie_for(clinician))
    connected, _ = await ws.connect()
    assert connected
    await get_channel_layer().group_send(staff_group(clinician.pk),
                                         {"type": "visit.changed", "visit": 42})
    assert await ws.receive_json_from(timeout=5) == {"type": "visit.changed", "visit": 42}
    await ws.disconnect()


async def test_events_for_another_user_do_not_arrive(clinician, colleague_same_unit):
    ws = communicator(await session_cookie_for(clinician))
    await ws.connect()
    await get_channel_layer().group_send(staff_group(colleague_same_unit.pk),
                                         {"type": "visit.changed", "visit": 7})
    assert await ws.receive_nothing(timeout=1)
    await ws.disconnect()


async def test_anonymous_socket_is_refused():
    ws = communicator()
    connected, code = await ws.connect()
    assert not connected


async def test_socket_from_a_foreign_origin_is_refused(clinician):
    cookie = await session_cookie_for(clinician)
    ws = WebsocketCommunicator(application, "/ws/staff/", headers=[
        (b"origin", b"https://evil.example"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode())])
    connected, _ = await ws.connect()
    assert not connected


async def test_an_idle_socket_stays_open_longer_than_redis_timeouts(clinician):
    ws = communicator(await session_cookie_for(clinician))
    await ws.connect()
    await asyncio.sleep(7)  # redis-py 8's default socket_timeout is 5 s
    await get_channel_layer().group_send(staff_group(clinician.pk),
                                         {"type": "visit.changed", "visit": 1})
    assert await ws.receive_json_from(timeout=5) == {"type": "visit.changed", "visit": 1}
    await ws.disconnect()


async def test_a_frame_the_page_cannot_have_sent_leaves_the_socket_open(clinician, caplog):
    ws = communicator(await session_cookie_for(clinician))
    await ws.connect()
    with caplog.at_level(logging.WARNING):
        for frame in ("not json", "[" * 5000 + "]" * 5000, "[]"):
            await ws.send_to(text_data=frame)
        await ws.send_to(bytes_data=b"\x00")
        await get_channel_layer().group_send(staff_group(clinician.pk),
                                             {"type": "visit.changed", "visit": 3})
        assert await ws.receive_json_from(timeout=5) == {"type": "visit.changed", "visit": 3}
    assert [r.getMessage() for r in caplog.records if r.name == "videovisit.sockets"] == [
        "StaffConsumer ignored a frame that is not JSON.",
        "StaffConsumer ignored a frame nested too deeply.",
        "StaffConsumer ignored a frame that is not a JSON object.",
        "StaffConsumer ignored an empty or binary frame."]
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    await ws.disconnect()


# A visit's page (R1): whoever may see the visit hears it change, not only its staff.

def visit_page(visit, cookie: str) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, f"/ws/staff/visit/{visit.pk}/", headers=[
        (b"origin", b"http://localhost"), (b"host", b"localhost"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode())])


@pytest.fixture
def visit(clinician, care_unit):
    return VideoVisitFactory(owner=clinician, care_unit=care_unit)


async def test_a_colleague_with_the_visit_page_open_hears_state_participants_and_presence(
        visit, clinician, colleague_same_unit):  # R1
    page = visit_page(visit, await session_cookie_for(colleague_same_unit))
    assert (await page.connect())[0]

    await database_sync_to_async(visit_transition)(visit=visit, action="receive",
                                                   user=clinician)
    assert await page.receive_json_from(timeout=5) == {"type": "visit.changed",
                                                       "visit": visit.pk}
    participant, _token = await database_sync_to_async(participant_add)(
        visit=visit, kind=Participant.Kind.INTERPRETER, first_name="Tolk",
        last_name="Digital", channel=Participant.Channel.NONE)
    assert await page.receive_json_from(timeout=5) == {"type": "visit.changed",
                                                       "visit": visit.pk}
    await database_sync_to_async(participant_remove)(participant=participant)
    assert await page.receive_json_from(timeout=5) == {"type": "visit.changed",
                                                       "visit": visit.pk}
    # Someone entering the room: the owner, from the visit page's video room.
    room = WebsocketCommunicator(application, f"/ws/visit/{visit.pk}/", headers=[
        (b"origin", b"http://localhost"), (b"host", b"localhost"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={await session_cookie_for(clinician)}"
         .encode())])
    assert (await room.connect())[0]
    assert await page.receive_json_from(timeout=5) == {"type": "room.changed",
                                                       "visit": visit.pk}
    await room.disconnect(timeout=10)
    assert await page.receive_json_from(timeout=5) == {"type": "room.changed",
                                                       "visit": visit.pk}
    await page.disconnect()


async def test_the_owners_visit_page_hears_a_change_once(visit, clinician):  # R1
    page = visit_page(visit, await session_cookie_for(clinician))
    start_page = communicator(await session_cookie_for(clinician))
    assert (await page.connect())[0] and (await start_page.connect())[0]
    await database_sync_to_async(visit_transition)(visit=visit, action="receive",
                                                   user=clinician)
    for socket in (page, start_page):
        assert await socket.receive_json_from(timeout=5) == {"type": "visit.changed",
                                                             "visit": visit.pk}
        assert await socket.receive_nothing(timeout=1)
        await socket.disconnect()


async def test_a_visit_page_hears_nothing_of_another_visit(visit, clinician,
                                                           colleague_same_unit, care_unit):
    other = await database_sync_to_async(VideoVisitFactory)(
        owner=clinician, care_unit=care_unit,
        starts_at=visit.starts_at + datetime.timedelta(hours=1),
        ends_at=visit.ends_at + datetime.timedelta(hours=1))
    page = visit_page(visit, await session_cookie_for(colleague_same_unit))
    assert (await page.connect())[0]
    await database_sync_to_async(visit_transition)(visit=other, action="receive",
                                                   user=clinician)
    assert await page.receive_nothing(timeout=1)
    await page.disconnect()


async def test_an_outsider_gets_no_visit_page_socket(visit, outsider):  # S1, S2
    page = visit_page(visit, await session_cookie_for(outsider))
    connected, _ = await page.connect()
    assert not connected
    assert await database_sync_to_async(AccessLogEntry.objects.filter(
        user=outsider, outcome="denied", object_id=str(visit.pk)).exists)()
