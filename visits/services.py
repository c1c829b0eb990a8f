from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CareUnit, User
from guests.models import Participant
from guests.services import (
    participant_add,
    participant_remove,
    participants_notify_cancelled,
    participants_notify_moved,
)
from patients.locks import lock_people
from patients.models import Guardian, Patient
from patients.services import child_contacts_clean
from visits import realtime
from visits.models import IllegalTransition, VideoVisit
from visits.room import room_admit_waiting

if TYPE_CHECKING:
    from bookings.models import Booking


class JournalingUnanswered(Exception):
    """Notes were written: finishing must say whether they are recorded in VAS (V2, V5)."""


def _locked(visit: VideoVisit) -> VideoVisit:
    # The row lock makes two staff pressing buttons at once take turns; the
    # second sees the first one's state and is refused if its move no longer fits.
    # Step 4 of the lock order (patients/locks.py).
    return VideoVisit.objects.select_for_update(no_key=True).get(pk=visit.pk)


@transaction.atomic
def visit_transition(*, visit: VideoVisit, action: str, user: User) -> VideoVisit:
    """Receive, start, start or end the meeting, or cancel; IllegalTransition if not now (V3)."""
    if action == "finish":
        raise ValueError("use visit_finish, which asks about the notes")
    if action == "cancel":
        return visit_cancel(visit=visit, user=user)
    locked = _locked(visit)
    locked.transition(action)
    locked.save()
    if action == "start_meeting":
        # Those in the waiting room now go in; whoever comes later waits for staff (R2).
        room_admit_waiting(visit=locked)
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


class GuestsRefused(ValidationError):
    """Guests of a new visit the rules refused; `by_guest` maps each one's place in
    the list to its errors (V4)."""

    def __init__(self, by_guest: dict[int, ValidationError]) -> None:
        super().__init__([message for error in by_guest.values() for message in error.messages])
        self.by_guest = by_guest


@transaction.atomic
def visit_create(*, patient: Patient, care_unit: CareUnit, owner: User, starts_at: datetime,
                 ends_at: datetime, reason: str, staff: list[User],
                 primary_contact: Guardian | None = None, agent: Guardian | None = None,
                 guests: Sequence[Mapping[str, Any]] = ()
                 ) -> tuple[VideoVisit, list[tuple[Participant, str]]]:
    """Skapa och skicka inbjudningar: a visit made in the console, not from a booking (V4).

    The patient, or for a child under 13 on the visit's date the agent, becomes the
    participant who identifies with e-ID and gets the link (P4–P7, G4). Each of
    `guests` (participant_add's keywords, without the visit) is invited with it; if
    any is refused, GuestsRefused says which and nothing is created or sent (N1).
    Returns the visit and each invited participant with their link's token (shown
    once, to copy), the patient or agent first.
    """
    day = timezone.localtime(starts_at).date()
    refusal = patient.video_refusal_on(day)
    if refusal:
        raise ValidationError(refusal)
    if patient.is_child_on(day):
        child_contacts_clean(patient=patient, care_unit=care_unit,
                             primary_contact=primary_contact, agent=agent)
    elif patient.needs_own_mobile_on(day) and not patient.contact_at(care_unit).mobile:
        # The unit's own number (P4): another unit's is never used for this visit.
        raise ValidationError(_("Patienten saknar mobilnummer. Lägg till det på "
                                "patientsidan; länken skickas som sms."))
    if starts_at < timezone.now():
        raise ValidationError({"start": _("Tiden har redan varit. Välj en senare tid.")})
    lock_people(users=[owner, *staff], patients=[patient])
    _ensure_free(people=[owner, *staff], patient=patient, starts_at=starts_at,
                 ends_at=ends_at)
    visit = VideoVisit(patient=patient, care_unit=care_unit, owner=owner, starts_at=starts_at,
                       ends_at=ends_at, reason=reason, primary_contact=primary_contact,
                       agent=agent)
    visit.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError as exc:  # the patient's overlap constraint: a race lost
        raise ValidationError({"start": _("Patienten har redan ett videobesök då.")}) from exc
    visit.staff.set(staff)
    invited = [participant_add(visit=visit, channel=Participant.Channel.SMS,
                               **link_holder(visit))]
    refused = {}
    for index, guest in enumerate(guests):
        try:
            invited.append(participant_add(visit=visit, **guest))
        except ValidationError as error:
            # participant_add's savepoint undid only this guest: go on, so that every
            # refused guest is named at once, then undo the whole visit.
            refused[index] = error
    if refused:
        raise GuestsRefused(refused)
    return visit, invited


def link_holder(visit: VideoVisit) -> dict:
    """Who gets the visit's link and must identify with e-ID: the patient, or for a
    child under 13 on the visit's date the agent (P5, G4), at the contact details the
    visit's care unit keeps for them; as participant_add takes it."""
    if visit.is_for_child:
        person, kind = visit.agent, Participant.Kind.AGENT
    else:
        person, kind = visit.patient, Participant.Kind.PATIENT
    contact = person.contact_at(visit.care_unit)
    return {"kind": kind, "first_name": person.first_name, "last_name": person.last_name,
            "personnummer": person.personnummer, "mobile": contact.mobile,
            "email": contact.email}


def _ensure_free(*, people: list[User], patient: Patient, starts_at: datetime,
                 ends_at: datetime, moving: VideoVisit | None = None) -> None:
    """Refuse a time the staff or the patient already have, booked or not (B6, V4).

    The caller has locked the people's and the patient's rows (lock_people), so two
    visits created at once for the same people take turns and the later one sees
    the first. `moving`: the visit being moved, which is not in its own way.
    """
    from bookings.models import Booking

    others = VideoVisit.objects.active().exclude(pk=moving.pk if moving else None)
    busy = (Booking.objects.active().filter(clinician__in=people)
            .overlapping(starts_at, ends_at).select_related("clinician").first())
    busy_person = busy.clinician if busy else None
    if busy_person is None:
        visit = (others.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
                 .filter(Q(owner__in=people) | Q(staff__in=people))
                 .select_related("owner").first())
        if visit is not None:
            busy_person = visit.owner if visit.owner in people else \
                visit.staff.filter(pk__in=[u.pk for u in people]).first()
    if busy_person is not None:
        raise ValidationError({"start": _("Tiden är upptagen: %(name)s har redan ett besök då. "
                                          "Välj en annan tid.")
                               % {"name": busy_person.get_full_name() or busy_person}})
    if others.filter(patient=patient, starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise ValidationError({"start": _("Patienten har redan ett videobesök då. "
                                          "Välj en annan tid.")})


@transaction.atomic
def visit_reschedule(*, visit: VideoVisit, starts_at: datetime, ends_at: datetime,
                     user: User) -> VideoVisit:
    """Flytta: the visit moves to a new time, before it has begun (B7, V4).

    Everyone sent a link is told the new time and keeps their link, which now holds
    until the new end (G5). A booked visit moves with its booking, so that the
    clinician's schedule and 1177 follow (booking_reschedule).
    """
    from bookings.models import Booking
    from bookings.services import booking_reschedule

    booking = visit.bookings.exclude(kind=Booking.Kind.TEAM_PARTICIPANT).first()
    if booking is not None and booking.is_active:
        if starts_at < timezone.now():
            raise ValidationError({"start": _("Tiden har redan varit. Välj en senare tid.")})
        try:
            booking_reschedule(booking=booking, starts_at=starts_at, ends_at=ends_at, user=user)
        except ValidationError as error:
            # The booking's form calls the time starts_at; here it is the start field.
            if hasattr(error, "error_dict") and "starts_at" in error.error_dict:
                error.error_dict["start"] = error.error_dict.pop("starts_at")
            raise
        return VideoVisit.objects.get(pk=visit.pk)
    lock_people(users=[visit.owner, *visit.staff.all()], patients=[visit.patient])
    locked = _locked(visit)
    if not locked.allows("cancel"):
        raise IllegalTransition(_("Besöket har redan börjat och kan inte flyttas."))
    if ends_at <= starts_at:
        raise ValidationError({"start": _("Sluttiden måste vara efter starttiden.")})
    if starts_at < timezone.now():
        raise ValidationError({"start": _("Tiden har redan varit. Välj en senare tid.")})
    patient = locked.patient
    if patient.is_child_on(timezone.localdate(locked.starts_at)) != \
            patient.is_child_on(timezone.localdate(starts_at)):
        # Who gets the link and identifies follows the age on the visit's date (P5–P7).
        raise ValidationError({"start": _(
            "Patienten fyller 13 år före den nya tiden, och då får patienten själv länken "
            "i stället för ombudet. Avboka och skapa ett nytt besök.")})
    _ensure_free(people=[locked.owner, *locked.staff.all()], patient=patient,
                 starts_at=starts_at, ends_at=ends_at, moving=locked)
    locked.starts_at, locked.ends_at = starts_at, ends_at
    try:
        with transaction.atomic():
            locked.save(update_fields=["starts_at", "ends_at"])
    except IntegrityError as exc:  # the patient's overlap constraint: a race lost
        raise ValidationError({"start": _("Patienten har redan ett videobesök då.")}) from exc
    realtime.visit_changed(locked)
    # Each move is its own notice: moving back and forth again must be told again.
    participants_notify_moved(visit=locked, stamp=f"{locked.pk}:{uuid.uuid4().hex}")
    return locked


@transaction.atomic
def visit_cancel(*, visit: VideoVisit, user: User) -> VideoVisit:
    """Avboka: the visit is cancelled and the people invited to it are told (B7).

    A booked visit is cancelled with its booking, so that the clinician's time is
    free again and 1177 stops showing it (B4, B8).
    """
    from bookings.models import Booking
    from bookings.services import booking_cancel

    booking = visit.bookings.exclude(kind=Booking.Kind.TEAM_PARTICIPANT).first()
    if booking is not None and booking.is_active:
        if not visit.allows("cancel"):
            raise IllegalTransition(_("Besöket har redan börjat och kan inte avbokas."))
        booking_cancel(booking=booking, user=user)
        return VideoVisit.objects.get(pk=visit.pk)
    locked = _locked(visit)
    locked.transition("cancel")
    locked.save()
    participants_notify_cancelled(visit=locked)
    realtime.visit_changed(locked)
    return locked


@dataclass(frozen=True)
class ContactsChange:
    """What visit_change_contacts changed: the field names, and the rows it wrote."""

    visit: VideoVisit
    changed: tuple[str, ...]
    agent_participant: Participant | None = None
    booking: Booking | None = None  # when the visit came from a booking


@transaction.atomic
def visit_change_contacts(*, visit: VideoVisit, primary_contact: Guardian | None,
                          agent: Guardian | None, user: User) -> ContactsChange:
    """Byt ombud / primär kontakt: another guardian for a child's visit and its booking (P5).

    A new agent takes the old one's place as the participant who identifies with e-ID
    (G4): the old agent's link stops working and a live room lets them go (G5), and the
    new agent's invitation goes through the outbox as when the visit was created (N1).
    The same people again change nothing and send nothing.
    """
    from bookings.models import Booking

    # Medverkan teambesök bookings carry no guardians; the owner's booking does. It is
    # locked before the visit (patients/locks.py).
    booking = (Booking.objects.select_for_update(no_key=True)
               .filter(video_visit=visit).exclude(kind=Booking.Kind.TEAM_PARTICIPANT).first())
    locked = _locked(visit)
    if locked.state in {VideoVisit.State.FINISHED, VideoVisit.State.CANCELLED}:
        raise ValidationError(_("Besöket är avslutat eller avbokat; primär kontakt och ombud "
                                "kan inte ändras."))
    if not locked.is_for_child:
        raise ValidationError(_("Primär kontakt och ombud väljs bara för barn under 13 år."))
    child_contacts_clean(patient=locked.patient, care_unit=locked.care_unit,
                         primary_contact=primary_contact, agent=agent)
    changed = tuple(name for name, guardian in (("primary_contact", primary_contact),
                                                ("agent", agent))
                    if getattr(locked, f"{name}_id") != guardian.pk)
    if not changed:
        return ContactsChange(visit=locked, changed=())
    new_participant = None
    locked.primary_contact, locked.agent = primary_contact, agent
    if "agent" in changed:
        for old in locked.participants.active().filter(kind=Participant.Kind.AGENT):
            participant_remove(participant=old, replaced=True)
        new_participant, _token = participant_add(visit=locked, channel=Participant.Channel.SMS,
                                                  **link_holder(locked))
    locked.save(update_fields=list(changed))
    if booking is not None:
        booking.primary_contact, booking.agent = primary_contact, agent
        booking.save(update_fields=["primary_contact", "agent"])
    realtime.visit_changed(locked)
    return ContactsChange(visit=locked, changed=changed, agent_participant=new_participant,
                          booking=booking)
