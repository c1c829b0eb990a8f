"""The staff socket through the real ASGI stack and the Redis channel layer."""

import asyncio
import logging

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from videovisit.asgi import application
from visits.realtime import staff_group

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
