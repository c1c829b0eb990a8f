"""The Redis pub/sub channel layer, with every PUBLISH of a process sent in batches.

channels_redis sends one PUBLISH at a time per process, each under a lock until Redis
has answered. A meeting set-up is a burst of signals from many sockets at once, so
every signal waited for the round trips of all the signals before it (bench/room.py).
Here the messages wait in one queue, in the order they were sent, and whatever has
gathered while a batch is on its way goes as the next one: one pipeline, one round
trip. `send` and `group_send` still return only when Redis has the message, so
delivery, order and errors are as before.
"""

import asyncio

from channels_redis.pubsub import (
    RedisPubSubChannelLayer,
    RedisPubSubLoopLayer,
    RedisSingleShardConnection,
)
from channels_redis.utils import _wrap_close, decode_hosts


class BatchingShardConnection(RedisSingleShardConnection):
    def __init__(self, host, channel_layer) -> None:
        super().__init__(host, channel_layer)
        self._outbox: list[tuple[str, bytes, asyncio.Future]] = []
        self._sender: asyncio.Task | None = None

    async def publish(self, channel, message) -> None:
        sent = asyncio.get_running_loop().create_future()
        self._outbox.append((channel, message, sent))
        if self._sender is None or self._sender.done():
            self._sender = asyncio.ensure_future(self._send_batches())
        await sent

    async def _send_batches(self) -> None:
        while self._outbox:
            batch, self._outbox = self._outbox, []
            outcome: BaseException | None = asyncio.CancelledError()
            try:
                self._ensure_redis()
                async with self._redis.pipeline(transaction=False) as pipe:
                    for channel, message, _sent in batch:
                        pipe.publish(channel, message)
                    await pipe.execute()
                outcome = None
            except Exception as error:
                outcome = error
            finally:
                # Each sender hears how its own message went, even if this task ends.
                for _channel, _message, sent in batch:
                    if sent.done():
                        continue
                    if outcome is None:
                        sent.set_result(None)
                    elif isinstance(outcome, asyncio.CancelledError):
                        sent.cancel()
                    else:
                        sent.set_exception(outcome)


class BatchingLoopLayer(RedisPubSubLoopLayer):
    def __init__(self, hosts=None, *args, **kwargs) -> None:
        super().__init__(hosts, *args, **kwargs)
        self._shards = [BatchingShardConnection(host, self) for host in decode_hosts(hosts)]


class BatchingPubSubChannelLayer(RedisPubSubChannelLayer):
    """RedisPubSubChannelLayer, its publishes batched; the same settings."""

    def _get_layer(self):
        loop = asyncio.get_running_loop()
        if loop not in self._layers:
            self._layers[loop] = BatchingLoopLayer(*self._args, **self._kwargs,
                                                   channel_layer=self)
            _wrap_close(self, loop)
        return self._layers[loop]

