"""The join session: which participant a browser came in as, and whether e-ID proved it (G4).

A personal link is redeemed into the session (guests.views.redeem); the video room's
consumer reads the same session, so the link itself is never needed again.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from guests.models import Participant
from visits.models import VideoVisit

SESSION_KEY = "join_participant"
# The link that was opened: a new link for the participant revokes it, and the
# session with it (G5).
LINK_SESSION_KEY = "join_link"
# The participant whose personnummer an e-ID identification in this session matched.
EID_SESSION_KEY = "join_eid_verified"


def participant_for_session(session) -> Participant | None:
    """The participant whose link opened this browser session, while that link holds.

    It stops holding when revoked (a new link, the participant removed) and when the
    visit is over: its booked end plus INVITATION_GRACE, unless the meeting still runs
    (G5). Asked on every join page and at every heartbeat of the room's socket.
    """
    pk, link = session_link(session)
    if pk is None or link is None:
        return None
    return _holding(pk=pk, links__pk=link).select_related("visit__owner").first()


def session_link(session) -> tuple[int | None, int | None]:
    """The participant and the link a join session came in with (None, None if not one)."""
    if session is None:
        return None, None
    return session.get(SESSION_KEY), session.get(LINK_SESSION_KEY)


def links_holding(pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which (participant, link) pairs still hold, as participant_for_session decides,
    in one query: the room's heartbeats ask for many sessions at once."""
    if not pairs:
        return set()
    found = _holding(pk__in={pk for pk, _link in pairs}).values_list("pk", "links__pk")
    return set(found) & pairs


def _holding(**lookups):
    """Participants with a link that is not revoked, of a visit not over (G5); the
    lookups filter in the same step, so that a link lookup means that very link."""
    expired = timezone.now() - settings.INVITATION_GRACE
    return (Participant.objects.active().filter(links__revoked_at__isnull=True, **lookups)
            .filter(Q(visit__ends_at__gt=expired) | Q(visit__state=VideoVisit.State.VIDEO_LIVE)))


def is_identified(session, participant: Participant) -> bool:
    """Guests need no e-ID; the patient and the agent must have matched in this session."""
    return not participant.requires_eid or session.get(EID_SESSION_KEY) == participant.pk
