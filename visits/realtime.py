"""Channel-layer groups and the small events sent over them (STYLE: realtime).

Events carry ids only; pages re-fetch what changed through permission-checked views.
"""

from __future__ import annotations

import hashlib
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def staff_group(user_id: int) -> str:
    """Group of every open staff page of one user."""
    return f"staff.{user_id}"


logger = logging.getLogger(__name__)


def session_group(session_key: str) -> str:
    """Group of every socket opened with one staff session, so signing out closes them.

    Hashed: a group name is visible to whoever can read the channel layer.
    """
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def session_ended(session_key: str) -> None:
    """Close the sockets of a session that was signed out (S3); best effort.

    A channel layer that does not answer must not keep anyone signed in: the sockets
    then find out at their next heartbeat.
    """
    try:
        async_to_sync(get_channel_layer().group_send)(
            session_group(session_key), {"type": "session.ended"})
    except Exception:  # noqa: BLE001 - signing out must not fail for this
        logger.warning("could not tell the sockets of a signed-out session", exc_info=True)


def visit_group(visit_id: int) -> str:
    """Group of everyone with the visit's page or room open."""
    return f"visit.{visit_id}"


def visit_page_group(visit_id: int) -> str:
    """Group of every open staff page of one visit, whoever has it open (R1).

    A colleague of the visit's unit may open the visit page without being its owner or
    Sjukvårdspersonal; the page's socket joins this group once the colleague may see the
    visit (consumers.StaffConsumer), so their page updates live as the owner's does.
    """
    return f"visitpage.{visit_id}"


def visit_changed_groups(visit) -> list[str]:
    """Everyone to tell when the visit changes: its room, the pages open on it, and the
    start pages of its staff (which list it, V1)."""
    user_ids = {visit.owner_id, *visit.staff.values_list("pk", flat=True)}
    return [visit_group(visit.pk), visit_page_group(visit.pk),
            *(staff_group(uid) for uid in sorted(user_ids))]


def visit_changed(visit) -> None:
    """Tell the visit's staff and its room, once the change is committed, that it changed."""
    groups = visit_changed_groups(visit)
    event = {"type": "visit.changed", "visit": visit.pk}

    def send() -> None:
        layer = get_channel_layer()
        for group in groups:
            async_to_sync(layer.group_send)(group, event)

    transaction.on_commit(send)


def participant_removed(participant) -> None:
    """Tell the visit's room, once committed, that this participant must leave (G5)."""
    group = visit_group(participant.visit_id)
    event = {"type": "participant.removed", "participant": participant.pk}
    transaction.on_commit(lambda: async_to_sync(get_channel_layer().group_send)(group, event))


def participant_refused(participant) -> None:
    """Tell the visit's room, once committed, that staff will not let this person in (R2)."""
    group = visit_group(participant.visit_id)
    event = {"type": "participant.refused", "participant": participant.pk}
    transaction.on_commit(lambda: async_to_sync(get_channel_layer().group_send)(group, event))


def room_changed_on_commit(visit) -> None:
    """room_changed for a service: once committed, the room and the staff pages hear that
    someone was let in, and each socket sends its client a fresh snapshot (R1, R2)."""
    groups = visit_changed_groups(visit)
    transaction.on_commit(lambda: async_to_sync(room_changed)(visit.pk, groups))


async def room_changed(visit_id: int, groups: list[str]) -> None:
    """Someone entered or left the visit's room (R1); `groups` from visit_changed_groups.

    Its own event rather than "visit.changed", so that staff pages re-fetch only who is
    in the room, not the visit panel with the notes being typed. Sent by the room's
    consumer, which has committed already, from the event loop: async_to_sync in a
    database thread cannot finish while the server shuts down, and would hold it up.
    """
    layer = get_channel_layer()
    for group in groups:
        await layer.group_send(group, {"type": "room.changed", "visit": visit_id})


async def room_replaced(channel_name: str) -> None:
    """Tell an older socket of the same person that a newer one took over."""
    await get_channel_layer().send(channel_name, {"type": "room.replaced"})
