"""The video room of a visit: who may enter, presence, and ICE servers (DESIGN R1–R5).

Presence lives in the database (RoomPresence) so that every server process sees the
same room and it survives a restart; the consumer in visits/consumers.py stays thin
and calls these functions through database_sync_to_async.

Who is in the meeting (R2): staff, once it is live; a participant once let in, which
"Starta videomöte" does for everyone waiting then, and "Släpp in" for one person who
came later (guests.services.participant_admit), or at once when invited as "släpps
in direkt". The admission is kept on the participant, so a drop or a restart does not
send them back to the waiting room (R4). Every change of a presence's status happens
under the visit's row lock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.middleware import live_sessions
from guests.joining import (
    is_identified,
    links_holding,
    participant_for_session,
    session_link,
)
from guests.models import Participant
from visits import realtime
from visits.access import get_visit_for_socket
from visits.models import RoomPresence, VideoVisit


@dataclass(frozen=True)
class Member:
    """Someone allowed into one visit's room: a staff member or a participant."""

    visit_id: int
    peer: str
    name: str
    role: str
    user_id: int | None = None
    participant_id: int | None = None


class RoomClosed(Exception):
    """The room does not open (any more); `message` says why, `code` closes the socket."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# WebSocket close codes the room's JavaScript understands; it reconnects on any other.
CLOSE_ENDED = 4000
CLOSE_REMOVED = 4001
CLOSE_REPLACED = 4002
CLOSE_FULL = 4003
CLOSE_SIGNED_OUT = 4004
CLOSE_REFUSED = 4005

CLOSED_STATES = {VideoVisit.State.VIDEO_ENDED, VideoVisit.State.FINISHED,
                 VideoVisit.State.CANCELLED}


def ended_message(state: str) -> str:
    if state == VideoVisit.State.CANCELLED:
        return _("Besöket är avbokat. Kontakta mottagningen om du har frågor.")
    if state == VideoVisit.State.FINISHED:
        return _("Besöket är avslutat. Du kan stänga sidan.")
    return _("Videomötet är avslutat. Du kan stänga sidan.")


def room_member(scope: dict, visit_id: int) -> Member | None:
    """Who this socket is in the visit's room, or None to refuse it.

    Staff: a signed-in user who may see the visit (owner, Sjukvårdspersonal, or the
    visit's care unit; S2). Others: the join session of an active participant of this
    very visit, identified with e-ID when the kind requires it (G4).
    """
    user = scope.get("user")
    if user is not None and user.is_authenticated and user.is_active:
        # Through the access helper, so the look (or the refusal) is in the access log (S1).
        try:
            get_visit_for_socket(scope, visit_id, action="view")
        except (PermissionDenied, VideoVisit.DoesNotExist):
            return None
        return Member(visit_id=visit_id, peer=f"s{user.pk}",
                      name=user.get_full_name() or user.get_username(),
                      role=user.title or _("Vårdpersonal"), user_id=user.pk)
    session = scope.get("session")
    participant = participant_for_session(session)
    if participant is None or participant.visit_id != visit_id:
        return None
    if not is_identified(session, participant):
        return None
    return Member(visit_id=visit_id, peer=f"p{participant.pk}", name=participant.full_name,
                  role=participant.get_kind_display(), participant_id=participant.pk)


def signed_out() -> RoomClosed:
    return RoomClosed(_("Du har loggats ut. Logga in igen för att fortsätta."), CLOSE_SIGNED_OUT)


def link_gone() -> RoomClosed:
    return RoomClosed(_("Länken du kom in med gäller inte längre. Använd den senaste länken "
                        "du har fått, eller kontakta mottagningen."), CLOSE_REMOVED)


@dataclass(frozen=True)
class Entered:
    """What the consumer announces once room_enter has committed."""

    groups: list[str]
    replaced_channel: str | None


def refused() -> RoomClosed:
    return RoomClosed(_("Vårdpersonalen har inte släppt in dig i videomötet. Kontakta "
                        "mottagningen om du har frågor."), CLOSE_REFUSED)


def _admitted(member: Member) -> bool:
    """Whether the member goes into the live meeting without waiting for staff (R2)."""
    if member.user_id is not None:
        return True
    return Participant.objects.filter(pk=member.participant_id).filter(
        Q(admit_directly=True) | Q(admitted_at__isnull=False)).exists()


@transaction.atomic
def room_enter(*, member: Member, channel_name: str, connection: str) -> Entered:
    """Enter the room: waiting before the meeting; while it is live, staff and the
    participants let in go into it, and the others wait for staff (R2).

    `connection` names the page's media session: a socket that comes back after a drop
    or a server restart brings the same one, so the others keep their peer connections
    with it (R4). Raises RoomClosed when the meeting is over or the mesh is full (R3,
    R5). A second socket of the same person replaces the first, which must be told to
    close (`replaced_channel`); `groups` must hear that the visit's room changed.
    """
    # The visit's row lock makes concurrent entries count the room one at a time.
    visit = VideoVisit.objects.select_for_update(no_key=True).get(pk=member.visit_id)
    if visit.state in CLOSED_STATES:
        raise RoomClosed(ended_message(visit.state), CLOSE_ENDED)
    others = RoomPresence.objects.fresh().filter(visit=visit).exclude(peer=member.peer)
    if others.count() >= settings.ROOM_MAX_PEERS:
        raise RoomClosed(_("Mötet är fullt: högst %(max)d personer kan delta samtidigt. "
                           "Kontakta mottagningen.") % {"max": settings.ROOM_MAX_PEERS},
                         CLOSE_FULL)
    status = (RoomPresence.Status.IN_MEETING
              if visit.state == VideoVisit.State.VIDEO_LIVE and _admitted(member)
              else RoomPresence.Status.WAITING)
    previous = RoomPresence.objects.filter(visit=visit, peer=member.peer).first()
    now = timezone.now()
    RoomPresence.objects.update_or_create(visit=visit, peer=member.peer, defaults={
        "participant_id": member.participant_id, "user_id": member.user_id,
        "name": member.name, "role": member.role, "channel_name": channel_name,
        "connection": connection, "status": status, "joined_at": now, "seen_at": now,
    })
    replaced = previous.channel_name if previous and previous.channel_name != channel_name \
        else None
    return Entered(groups=realtime.visit_changed_groups(visit), replaced_channel=replaced)


@transaction.atomic
def room_leave(*, member: Member, channel_name: str) -> list[str]:
    """Leave the room, unless a newer socket of the same person already took the place.

    Returns the groups to tell that the room changed (none if nothing did).
    """
    deleted, _counts = RoomPresence.objects.filter(
        visit_id=member.visit_id, peer=member.peer, channel_name=channel_name).delete()
    if not deleted:
        return []
    return realtime.visit_changed_groups(VideoVisit.objects.get(pk=member.visit_id))


@dataclass(frozen=True)
class Beat:
    """One socket's heartbeat: its scope (the session it came in with) and its place."""

    scope: dict
    member: Member
    channel_name: str


def room_heartbeats(beats: Sequence[Beat]) -> list[RoomClosed | bool]:
    """Many sockets' heartbeats in a few queries (visits/heartbeats.py gathers them).

    For each: why it must now leave (S3, G5), or else whether it still holds its place
    in the room, whose presence is then kept fresh (R4). Staff leave when their session
    was signed out or ran out of idle time with no request to notice it; others when
    the link they came in on was replaced, or the visit is over.
    """
    sessions = [beat.scope.get("session") for beat in beats]
    # A participant's session names its link; staff have none.
    links = [None if beat.member.user_id is not None else session_link(session)
             for beat, session in zip(beats, sessions, strict=True)]
    live = live_sessions({getattr(session, "session_key", None)
                          for session, link in zip(sessions, links, strict=True)
                          if link is None} - {None})
    holding = links_holding({link for link in links if link and None not in link})

    def answer(beat: Beat, session, link) -> RoomClosed | bool:
        if link is None:
            return True if getattr(session, "session_key", None) in live else signed_out()
        return True if link[0] == beat.member.participant_id and link in holding \
            else link_gone()

    answers = [answer(*each) for each in zip(beats, sessions, links, strict=True)]
    staying = [beat for beat, answer in zip(beats, answers, strict=True) if answer is True]
    held = _touch(staying)
    return [answer if answer is not True else beat.channel_name in held
            for beat, answer in zip(beats, answers, strict=True)]


def _touch(beats: Sequence[Beat]) -> set[str]:
    """Keep these sockets' presences fresh; the channels that still hold their place."""
    if not beats:
        return set()
    places = {beat.channel_name: (beat.member.visit_id, beat.member.peer) for beat in beats}
    held = {name for name, visit_id, peer in RoomPresence.objects
            .filter(channel_name__in=places).values_list("channel_name", "visit_id", "peer")
            if places[name] == (visit_id, peer)}
    RoomPresence.objects.filter(channel_name__in=held).update(seen_at=timezone.now())
    return held


@dataclass(frozen=True)
class View:
    """One socket's view of the room: what its client is sent, and whom it may signal."""

    snapshot: dict
    # peer → channel of the others in the meeting if this socket is in it, else empty (R3).
    targets: dict[str, str]


def room_snapshot(*, member: Member, channel_name: str) -> dict:
    """The room as this socket should see it now; see room_view."""
    return room_view(member=member, channel_name=channel_name).snapshot


def room_view(*, member: Member, channel_name: str) -> View:
    """The room as this socket should see it now.

    Raises RoomClosed when the meeting has ended or this socket no longer holds the place.
    """
    visit = VideoVisit.objects.get(pk=member.visit_id)
    if visit.state in CLOSED_STATES:
        raise RoomClosed(ended_message(visit.state), CLOSE_ENDED)
    presences = RoomPresence.objects.filter(visit=visit)
    mine = presences.filter(peer=member.peer, channel_name=channel_name).first()
    if mine is None:
        raise RoomClosed(_("Du har öppnat mötet i ett annat fönster."), CLOSE_REPLACED)
    others = list(presences.fresh().exclude(pk=mine.pk).order_by("joined_at", "pk"))
    in_meeting = RoomPresence.Status.IN_MEETING
    if member.user_id is None and mine.status != in_meeting:
        # Someone not (yet) let in learns nothing of who else is there but the staff:
        # a late arrival refused must not have seen the patient's or a relative's name.
        others = [p for p in others if p.user_id is not None]
    peers = [
        {"id": p.peer, "name": p.name, "role": p.role, "status": p.status,
         "connection": p.connection, "staff": p.user_id is not None}
        for p in others
    ]
    targets = ({p.peer: p.channel_name for p in others if p.status == in_meeting}
               if mine.status == in_meeting else {})
    return View(snapshot={"type": "state", "you": member.peer, "connection": mine.connection,
                          "status": mine.status, "visit_state": visit.state, "peers": peers},
                targets=targets)


def room_admit_waiting(*, visit: VideoVisit) -> None:
    """The meeting starts: everyone in the room goes into it, and the participants who
    waited are let in for good (V2, R2, R4). Call with the visit's row locked, in the
    transaction that makes it live, so that nobody enters between the two."""
    waiting = RoomPresence.objects.filter(visit=visit, status=RoomPresence.Status.WAITING)
    Participant.objects.filter(
        pk__in=waiting.filter(participant__isnull=False).values("participant"),
        admitted_at__isnull=True).update(admitted_at=timezone.now())
    waiting.update(status=RoomPresence.Status.IN_MEETING)


def signal_target(*, member: Member, channel_name: str, to: str) -> str | None:
    """The channel of `to` if both it and the sender are in this visit's meeting (R3)."""
    in_meeting = RoomPresence.objects.filter(visit_id=member.visit_id,
                                             status=RoomPresence.Status.IN_MEETING)
    if not in_meeting.filter(peer=member.peer, channel_name=channel_name).exists():
        return None
    target = in_meeting.filter(peer=to).exclude(peer=member.peer).first()
    return target.channel_name if target else None


def ice_servers(peer: str, *, now: float | None = None) -> list[dict]:
    """STUN and TURN servers for one socket; TURN with coturn's REST-API credentials.

    The username is "expiry:peer" (Unix time), the password base64(HMAC-SHA1(TURN_SECRET,
    username)); coturn with use-auth-secret checks both and the expiry, so a leaked
    credential stops working after TURN_CREDENTIAL_TTL.
    """
    servers: list[dict] = []
    if settings.ROOM_STUN_URLS:
        servers.append({"urls": list(settings.ROOM_STUN_URLS)})
    if settings.ROOM_TURN_URLS:
        expiry = int((now if now is not None else time.time())
                     + settings.TURN_CREDENTIAL_TTL.total_seconds())
        username = f"{expiry}:{peer}"
        digest = hmac.new(settings.TURN_SECRET.encode(), username.encode(), hashlib.sha1).digest()
        servers.append({"urls": list(settings.ROOM_TURN_URLS), "username": username,
                        "credential": base64.b64encode(digest).decode()})
    return servers
