import json
import re
import secrets
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from visits import realtime, room
from visits.realtime import staff_group, visit_group


class StaffConsumer(AsyncJsonWebsocketConsumer):
    """Live updates for a signed-in staff member's pages.

    Events carry ids only; the page re-fetches what changed through the
    permission-checked views, so no patient data travels over the group.
    """

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close()  # refuses the handshake (HTTP 403)
            return
        self.group = staff_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def visit_changed(self, event: dict) -> None:
        await self.send_json({"type": "visit.changed", "visit": event["visit"]})

    async def room_changed(self, event: dict) -> None:
        await self.send_json({"type": "room.changed", "visit": event["visit"]})


# The page's media session, from the socket's address (?c=…); see room.room_enter.
CONNECTION_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


def connection_id(scope: dict) -> str:
    """The id the page chose for its media session, or a new one if it sent none."""
    values = parse_qs(scope.get("query_string", b"").decode(errors="replace")).get("c", [])
    if values and CONNECTION_ID.fullmatch(values[0]):
        return values[0]
    return secrets.token_hex(8)


# Signalling messages larger than this are refused; an SDP offer is a few kilobytes.
MAX_SIGNAL_BYTES = 64 * 1024


class RoomConsumer(AsyncJsonWebsocketConsumer):
    """One visit's video room (R1–R5): presence, state, and WebRTC signalling.

    Signalling goes to the one addressed peer of the same visit's meeting, looked up in
    the database, never to a group. Every change of presence or state is sent as
    "visit.changed" (ids only); each socket then sends its client a fresh snapshot.
    """

    member: room.Member | None = None

    async def connect(self) -> None:
        visit_id = int(self.scope["url_route"]["kwargs"]["visit_id"])
        self.member = await database_sync_to_async(room.room_member)(self.scope, visit_id)
        if self.member is None:
            await self.close()  # refuses the handshake (HTTP 403)
            return
        self.connection = connection_id(self.scope)
        self.group = visit_group(visit_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        try:
            entered = await database_sync_to_async(room.room_enter)(
                member=self.member, channel_name=self.channel_name, connection=self.connection)
        except room.RoomClosed as closed:
            await self.leave_with(closed)
            return
        if entered.replaced_channel:
            await realtime.room_replaced(entered.replaced_channel)
        await realtime.room_changed(self.member.visit_id, entered.groups)
        await self.send_json({"type": "welcome", "you": self.member.peer,
                              "heartbeat": settings.ROOM_HEARTBEAT_SECONDS,
                              "ice_servers": room.ice_servers(self.member.peer)})
        await self.send_snapshot()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        if self.member is not None and hasattr(self, "connection"):
            groups = await database_sync_to_async(room.room_leave)(
                member=self.member, channel_name=self.channel_name)
            await realtime.room_changed(self.member.visit_id, groups)

    async def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "signal":
            await self.relay_signal(content)
        elif kind == "ping":
            if await database_sync_to_async(room.room_touch)(member=self.member,
                                                             channel_name=self.channel_name):
                await self.send_json({"type": "pong"})
            else:
                await self.send_snapshot()  # closes with the reason

    async def relay_signal(self, content: dict) -> None:
        to, data = content.get("to"), content.get("data")
        if not isinstance(to, str) or not isinstance(data, dict):
            return
        if len(json.dumps(data)) > MAX_SIGNAL_BYTES:
            return
        target = await database_sync_to_async(room.signal_target)(
            member=self.member, channel_name=self.channel_name, to=to)
        if target is not None:
            await self.channel_layer.send(target, {
                "type": "room.signal", "from": self.member.peer,
                "connection": self.connection, "data": data})

    async def send_snapshot(self) -> None:
        try:
            snapshot = await database_sync_to_async(room.room_snapshot)(
                member=self.member, channel_name=self.channel_name)
        except room.RoomClosed as closed:
            await self.leave_with(closed)
            return
        await self.send_json(snapshot)

    async def leave_with(self, closed: room.RoomClosed) -> None:
        await self.send_json({"type": "closed", "code": closed.code, "message": closed.message})
        await self.close(code=closed.code)

    # Channel-layer events

    async def visit_changed(self, event: dict) -> None:
        await self.send_snapshot()

    async def room_changed(self, event: dict) -> None:
        await self.send_snapshot()

    async def participant_removed(self, event: dict) -> None:
        if self.member.participant_id == event["participant"]:
            await self.leave_with(room.RoomClosed(
                str(_("Vårdpersonalen har tagit bort dig från mötet.")), room.CLOSE_REMOVED))

    async def room_signal(self, event: dict) -> None:
        await self.send_json({"type": "signal", "from": event["from"],
                              "connection": event["connection"], "data": event["data"]})

    async def room_replaced(self, event: dict) -> None:
        await self.leave_with(room.RoomClosed(
            str(_("Du har öppnat mötet i ett annat fönster.")), room.CLOSE_REPLACED))
