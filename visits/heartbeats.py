"""The room sockets' heartbeats of one moment, answered together (R4, S3, G5).

Every socket in a room sends a heartbeat every ROOM_HEARTBEAT_SECONDS. Answered one by
one, hundreds of sockets on a server kept the one thread that runs database calls
busy, and the room's signals waited while it held the interpreter (bench/room.py).
Here a heartbeat waits up to ROOM_HEARTBEAT_GATHER_SECONDS for others, and all of them
are answered with one call to room.room_heartbeats.
"""

from __future__ import annotations

import asyncio
import weakref

from channels.db import database_sync_to_async
from django.conf import settings

from visits import room

_gatherers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Gatherer] = \
    weakref.WeakKeyDictionary()


async def heartbeat(beat: room.Beat) -> room.RoomClosed | bool:
    """Why the socket must leave, or whether it still holds its place (room_heartbeats)."""
    loop = asyncio.get_running_loop()
    gatherer = _gatherers.get(loop)
    if gatherer is None:
        gatherer = _gatherers[loop] = _Gatherer()
    return await gatherer.add(beat)


class _Gatherer:
    def __init__(self) -> None:
        self.waiting: list[tuple[room.Beat, asyncio.Future]] = []
        self.answering: asyncio.Task | None = None

    async def add(self, beat: room.Beat) -> room.RoomClosed | bool:
        answered = asyncio.get_running_loop().create_future()
        self.waiting.append((beat, answered))
        if self.answering is None or self.answering.done():
            self.answering = asyncio.ensure_future(self.answer())
        return await answered

    async def answer(self) -> None:
        await asyncio.sleep(settings.ROOM_HEARTBEAT_GATHER_SECONDS)
        while self.waiting:
            batch, self.waiting = self.waiting, []
            try:
                answers = await database_sync_to_async(room.room_heartbeats)(
                    [beat for beat, _answered in batch])
            except Exception as error:
                for _beat, answered in batch:
                    if not answered.done():
                        answered.set_exception(error)
            else:
                for (_beat, answered), answer in zip(batch, answers, strict=True):
                    if not answered.done():
                        answered.set_result(answer)
