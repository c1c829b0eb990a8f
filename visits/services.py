from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from visits import realtime
from visits.models import IllegalTransition, VideoVisit


class JournalingUnanswered(Exception):
    """Notes were written: finishing must say whether they are recorded in VAS (V2, V5)."""


def _locked(visit: VideoVisit) -> VideoVisit:
    # The row lock makes two staff pressing buttons at once take turns; the
    # second sees the first one's state and is refused if its move no longer fits.
    return VideoVisit.objects.select_for_update().get(pk=visit.pk)


@transaction.atomic
def visit_transition(*, visit: VideoVisit, action: str, user: User) -> VideoVisit:
    """Receive, start, start or end the meeting, or cancel; IllegalTransition if not now (V3)."""
    if action == "finish":
        raise ValueError("use visit_finish, which asks about the notes")
    locked = _locked(visit)
    locked.transition(action)
    locked.save()
    realtime.visit_changed(locked)
    return locked


@transaction.atomic
def visit_finish(*, visit: VideoVisit, user: User, journaled: bool | None) -> VideoVisit:
    """Avsluta besök. With notes, `journaled` must say whether they are in VAS (V2, V5)."""
    locked = _locked(visit)
    if not locked.allows("finish"):
        locked.transition("finish")  # raises with the message for the current state
    if locked.notes and journaled is None:
        raise JournalingUnanswered
    locked.transition("finish")
    if locked.notes and journaled:
        locked.notes_journaled_at = timezone.now()
    locked.save()
    realtime.visit_changed(locked)
    return locked


@transaction.atomic
def visit_save_notes(*, visit: VideoVisit, notes: str, user: User) -> VideoVisit:
    locked = _locked(visit)
    if locked.state == VideoVisit.State.CANCELLED:
        raise ValidationError(_("Besöket är avbokat; anteckningar kan inte sparas."))
    if locked.notes_journaled_at and notes != locked.notes:
        # Changed notes must be recorded in VAS again.
        locked.notes_journaled_at = None
    locked.notes = notes
    locked.save(update_fields=["notes", "notes_journaled_at"])
    realtime.visit_changed(locked)
    return locked


@transaction.atomic
def visit_confirm_journaled(*, visit: VideoVisit, user: User) -> VideoVisit:
    """The clinician confirms that the notes are recorded in VAS (V5)."""
    locked = _locked(visit)
    if not locked.notes:
        raise IllegalTransition(_("Besöket har inga anteckningar att journalföra."))
    locked.notes_journaled_at = locked.notes_journaled_at or timezone.now()
    locked.save(update_fields=["notes_journaled_at"])
    realtime.visit_changed(locked)
    return locked
