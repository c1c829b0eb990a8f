"""The batching Redis pub/sub channel layer (videovisit/channel_layer.py), on real Redis."""

import asyncio

import pytest
import redis.exceptions
from django.conf import settings

from videovisit.channel_layer import BatchingPubSubChannelLayer


def layer(address: str | None = None) -> BatchingPubSubChannelLayer:
    return BatchingPubSubChannelLayer(hosts=[{"address": address or settings.REDIS_URL,
                                              "socket_timeout": None}])


async def test_messages_sent_at_once_by_many_arrive_whole_and_in_order():
    sender, receiver = layer(), layer()
    try:
        channel = await receiver.new_channel()
        # Sent without waiting, as the room relays a burst: one batch after another.
        sends = [asyncio.ensure_future(sender.send(channel, {"type": "x", "n": n}))
                 for n in range(200)]
        await asyncio.gather(*sends)
        received = [(await asyncio.wait_for(receiver.receive(channel), 5))["n"]
                    for _ in range(200)]
        assert received == list(range(200))
    finally:
        await sender.flush()
        await receiver.flush()


async def test_a_group_hears_what_is_sent_to_it():
    sender, receiver = layer(), layer()
    try:
        channel = await receiver.new_channel()
        await receiver.group_add("visit-1", channel)
        await sender.group_send("visit-1", {"type": "visit.changed", "visit": 1})
        assert await asyncio.wait_for(receiver.receive(channel), 5) == \
            {"type": "visit.changed", "visit": 1}
    finally:
        await sender.flush()
        await receiver.flush()


async def test_a_redis_that_does_not_answer_fails_the_send_not_silently():
    unreachable = layer("redis://127.0.0.1:1/0")
    try:
        with pytest.raises(redis.exceptions.ConnectionError):
            await asyncio.wait_for(unreachable.send("nobody", {"type": "x"}), 10)
        # The next message is tried again, not stuck behind the failed batch.
        with pytest.raises(redis.exceptions.ConnectionError):
            await asyncio.wait_for(unreachable.send("nobody", {"type": "x"}), 10)
    finally:
        await unreachable.flush()
