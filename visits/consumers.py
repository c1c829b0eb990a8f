import asyncio
import logging
import re
import secrets
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from videovisit.sockets import JsonConsumer
from visits import realtime, room
from visits.access import get_visit_for_socket
from visits.heartbeats import heartbeat
from visits.models import VideoVisit
from visits.realtime import session_group, staff_group, visit_group, visit_page_group

logger = logging.getLogger(__name__)


def scope_session_key(scope: dict) -> str | None:
    session = scope.get("session")
    return session.session_key if session is not None else None


class StaffConsumer(JsonConsumer):
    """Live updates for a signed-in staff member's pages.

    At /ws/staff/ the socket hears of the visits the user owns or takes part in (the
    start page); at /ws/staff/visit/<id>/, of that one visit, for anyone who may see it
    (its page, R1). Events carry ids only; the page re-fetches what changed through the
    permission-checked views, so no patient data travels over the group.
    """

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close()  # refuses the handshake (HTTP 403)
            return
        visit_id = self.scope["url_route"]["kwargs"].get("visit_id")
        if visit_id is None:
            self.groups = [staff_group(user.pk)]
        else:
            try:
                # Through the access helper: a refusal is in the access log (S1, S2).
                await database_sync_to_async(get_visit_for_socket)(self.scope, int(visit_id))
            except (PermissionDenied, VideoVisit.DoesNotExist):
                await self.close()
                return
            # Not the user's own group as well: the page shows this visit only, and
            # would otherwise hear of it twice when the user is its owner.
            self.groups = [visit_page_group(int(visit_id))]
        if session_key := scope_session_key(self.scope):
            self.groups.append(session_group(session_key))
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def visit_changed(self, event: dict) -> None:
        await self.send_json({"type": "visit.changed", "visit": event["visit"]})

    async def room_changed(self, event: dict) -> None:
        await self.send_json({"type": "room.changed", "visit": event["visit"]})

    async def session_ended(self, event: dict) -> None:
        # The page reloads and meets the login page, which says why.
        await self.send_json({"type": "session.ended"})
        await self.close(code=room.CLOSE_SIGNED_OUT)


# The page's media session, from the socket's address (?c=…); see room.room_enter.
CONNECTION_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


def connection_id(scope: dict) -> str:
    """The id the page chose for its media session, or a new one if it sent none."""
    values = parse_qs(scope.get("query_string", b"").decode(errors="replace")).get("c", [])
    if values and CONNECTION_ID.fullmatch(values[0]):
        return values[0]
    return secrets.token_hex(8)


def log_failed_relay(relayed: asyncio.Future) -> None:
    if not relayed.cancelled() and relayed.exception() is not None:
        logger.warning("A signal was not relayed: %r", relayed.exception())


class RoomConsumer(JsonConsumer):
    """One visit's video room (R1–R5): presence, state, and WebRTC signalling.

    Signalling goes to the one addressed peer of the same visit's meeting, never to a
    group. Every change of presence or state is sent as "visit.changed" (ids only); each
    socket then sends its client a fresh snapshot, and keeps from it whom it may signal.
    """

    member: room.Member | None = None
    beating: asyncio.Future | None = None  # the heartbeat being answered
    # Whom this socket may signal, from its last snapshot. A meeting set-up relays dozens
    # of messages in a burst: asking the database for each one queued them all behind
    # the one thread that runs database calls. Every change of presence or state
    # refreshes it, so it is as current as the snapshot the client itself acts on.
    targets: dict[str, str] = {}

    async def connect(self) -> None:
        visit_id = int(self.scope["url_route"]["kwargs"]["visit_id"])
        self.member = await database_sync_to_async(room.room_member)(self.scope, visit_id)
        if self.member is None:
            await self.close()  # refuses the handshake (HTTP 403)
            return
        self.connection = connection_id(self.scope)
        self.groups = [visit_group(visit_id)]
        if self.member.user_id is not None:
            self.groups.append(session_group(scope_session_key(self.scope)))
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
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
        if self.beating is not None:
            self.beating.cancel()
        for group in getattr(self, "groups", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        if self.member is not None and hasattr(self, "connection"):
            groups = await database_sync_to_async(room.room_leave)(
                member=self.member, channel_name=self.channel_name)
            await realtime.room_changed(self.member.visit_id, groups)

    async def dispatch(self, message: dict) -> None:
        """Channels' dispatch without its database hop before every message.

        Channels closes stale database connections before each handler, on the one
        thread that runs database calls; with a meeting set-up's burst of signals, and a
        second hop for each on the receiving socket, they queued there. Every database
        call of this consumer goes through database_sync_to_async, which does the same
        cleanup around the call, so a relayed signal now needs no hop at all.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "signal":
            await self.relay_signal(content)
        elif kind == "ping" and (self.beating is None or self.beating.done()):
            # Answered on the side: the heartbeat waits for others (visits/heartbeats.py),
            # and the socket's signals must not wait behind it.
            self.beating = asyncio.ensure_future(self.answer_heartbeat())

    async def answer_heartbeat(self) -> None:
        beat = await heartbeat(room.Beat(self.scope, self.member, self.channel_name))
        if isinstance(beat, room.RoomClosed):
            await self.leave_with(beat)
        elif beat:
            await self.send_json({"type": "pong"})
        else:
            await self.send_snapshot()  # closes with the reason

    async def relay_signal(self, content: dict) -> None:
        to, data = content.get("to"), content.get("data")
        if not isinstance(to, str) or not isinstance(data, dict):
            return
        target = self.targets.get(to)
        if target is None:
            # Someone who came in after the last snapshot, or no one: the database decides.
            target = await database_sync_to_async(room.signal_target)(
                member=self.member, channel_name=self.channel_name, to=to)
        if target is not None:
            # Not awaited: the socket's next signal need not wait for Redis's reply. The
            # layer publishes in the order sent (videovisit/channel_layer.py).
            relayed = asyncio.ensure_future(self.channel_layer.send(target, {
                "type": "room.signal", "from": self.member.peer,
                "connection": self.connection, "data": data}))
            relayed.add_done_callback(log_failed_relay)

    async def send_snapshot(self) -> None:
        try:
            view = await database_sync_to_async(room.room_view)(
                member=self.member, channel_name=self.channel_name)
        except room.RoomClosed as closed:
            self.targets = {}
            await self.leave_with(closed)
            return
        self.targets = view.targets
        await self.send_json(view.snapshot)

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

    async def participant_refused(self, event: dict) -> None:
        if self.member.participant_id == event["participant"]:
            await self.leave_with(room.refused())

    async def room_signal(self, event: dict) -> None:
        await self.send_json({"type": "signal", "from": event["from"],
                              "connection": event["connection"], "data": event["data"]})

    async def session_ended(self, event: dict) -> None:
        await self.leave_with(room.signed_out())

    async def room_replaced(self, event: dict) -> None:
        await self.leave_with(room.RoomClosed(
            str(_("Du har öppnat mötet i ett annat fönster.")), room.CLOSE_REPLACED))
