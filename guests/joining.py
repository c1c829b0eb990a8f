"""The join session: which participant a browser came in as, and whether e-ID proved it (G4).

A personal link is redeemed into the session (guests.views.redeem); the video room's
consumer reads the same session, so the link itself is never needed again.
"""

from __future__ import annotations

from guests.models import Participant

SESSION_KEY = "join_participant"
# The participant whose personnummer an e-ID identification in this session matched.
EID_SESSION_KEY = "join_eid_verified"


def participant_for_session(session) -> Participant | None:
    """The participant whose link opened this browser session, if still invited."""
    pk = session.get(SESSION_KEY) if session is not None else None
    if pk is None:
        return None
    return (Participant.objects.active().select_related("visit__owner")
            .filter(pk=pk).first())


def is_identified(session, participant: Participant) -> bool:
    """Guests need no e-ID; the patient and the agent must have matched in this session."""
    return not participant.requires_eid or session.get(EID_SESSION_KEY) == participant.pk
