"""Booking operations: create every kind of booking, reschedule, cancel (DESIGN B1–B8).

A DiVL booking creates its video visit here (the timebook integration); every
message to a patient, agent or relative goes through the outbox (N1).
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template import Context, Template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import CareUnit, User
from bookings.models import (
    Booking,
    ContactType,
    KallelseTemplate,
    ScheduleActivity,
    ScheduleBlock,
    VisitReason,
)
from guests.models import Participant
from guests.services import (
    participant_add,
    participants_notify_cancelled,
    participants_notify_moved,
)
from integrations.models import MessageTemplate
from integrations.registry import RegistryPerson
from integrations.services import outbox_enqueue
from patients.language import in_patient_language
from patients.locks import lock_people
from patients.models import Guardian, Patient
from patients.services import child_contacts_clean, patient_register
from visits import realtime
from visits.models import VideoVisit

BOOKING_OVERLAP = "bookings_booking_no_overlap_per_clinician"
VISIT_OVERLAP = "visits_videovisit_no_overlap_per_patient"
# _lock_clinicians on PostgreSQL: whether the user works at the unit, on the clinicians'
# rows locked in the order of patients/locks.py (lock_people's first step).
LOCK_CLINICIANS = """
    SELECT EXISTS (SELECT FROM accounts_user_care_units
                    WHERE user_id = %(user)s AND careunit_id = %(unit)s)
      FROM accounts_user WHERE id = ANY(%(clinicians)s) ORDER BY id FOR NO KEY UPDATE"""
# Foreign keys that booking_create is handed as model instances.
REFERENCES = ("care_unit", "clinician", "patient", "primary_contact", "agent", "contact_type",
              "schedule_activity", "visit_reason", "kallelse_template", "created_by")

RELATIVE_CALL_VISIT_REASON = "Anhörigsamtal"
GROUP_TEMPLATE_KEY = "gruppbesok-teams"
# A Teams meeting link as Teams hands it out for a calendar meeting.
TEAMS_MEETING_URL = re.compile(r"^https://teams\.microsoft\.com/l/meetup-join/[^\s]+$")

Slot = tuple[datetime.datetime, datetime.datetime]


def slot_taken_message() -> str:
    return _("Tiden är redan bokad. Välj en annan tid.")


def when_text(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{formats.date_format(local, 'l j F Y')} kl. {local:%H.%M}"


# Reads ------------------------------------------------------------------------------


def free_slots(*, owner: User, day: datetime.date, participants: Sequence[User] = (),
               moving: Booking | None = None) -> list[Slot]:
    """The owner's scheduled times that day that are free for the owner and every
    participating clinician, and not already past. `moving`: a booking being moved,
    which with its team bookings and video visit is not in its own way."""
    now = timezone.now()
    slots = [slot for block in ScheduleBlock.objects.filter(clinician=owner, day=day)
             for slot in block.slots() if slot[0] > now]
    if not slots:
        return []
    people = [owner, *participants]
    first, last = slots[0][0], slots[-1][1]
    bookings = Booking.objects.active().filter(clinician__in=people)
    visits = VideoVisit.objects.active().filter(Q(owner__in=people) | Q(staff__in=people))
    if moving is not None:
        bookings = bookings.exclude(Q(pk=moving.pk) | Q(team_owner_booking=moving.pk))
        visits = visits.exclude(pk=moving.video_visit_id)
    taken = list(bookings.overlapping(first, last).values_list("starts_at", "ends_at"))
    # Visits created in the console, without a booking, keep their staff busy too.
    taken += list(visits.filter(starts_at__lt=last, ends_at__gt=first)
                  .values_list("starts_at", "ends_at"))
    return [(start, end) for start, end in slots
            if not any(s < end and e > start for s, e in taken)]


def schedule_activity_for(*, clinician: User, start: datetime.datetime) -> ScheduleActivity | None:
    """The schemaaktivitet of the clinician's schedule at that time, if any."""
    local = timezone.localtime(start)
    block = (ScheduleBlock.objects.filter(clinician=clinician, day=local.date(),
                                          start_time__lte=local.time(),
                                          end_time__gt=local.time())
             .select_related("activity").first())
    return block.activity if block else None


def kallelse_template_for(*, patient: Patient, day: datetime.date) -> KallelseTemplate | None:
    """The preselected kallelse: "barn" under 13 on the visit's date, else "vuxen" (B2, P7)."""
    audience = (KallelseTemplate.Audience.CHILD if patient.is_child_on(day)
                else KallelseTemplate.Audience.ADULT)
    return KallelseTemplate.objects.filter(audience=audience, is_active=True).first()


def participating_clinicians(booking: Booking) -> list[User]:
    return [p.clinician for p in booking.participations.select_related("clinician")]


# Create -----------------------------------------------------------------------------


@transaction.atomic
def booking_create(
    *,
    kind: str,
    care_unit: CareUnit,
    owner: User,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    contact_type: ContactType,
    schedule_activity: ScheduleActivity,
    created_by: User,
    patient: Patient | None = None,
    visit_reason: VisitReason | None = None,
    visa_webb: bool = True,
    kallelse_template: KallelseTemplate | None = None,
    kallelse_delivery: str = "",
    participants: Sequence[User] = (),
    participant_activity: ScheduleActivity | None = None,
    primary_contact: Guardian | None = None,
    agent: Guardian | None = None,
    relative: RegistryPerson | None = None,
    relative_channel: str = "sms",
    relative_mobile: str = "",
    relative_email: str = "",
    group_patients: Sequence[Patient] = (),
    meeting_url: str = "",
) -> Booking:
    """Book one visit of any kind; a DiVL booking creates its video visit (B1).

    Raises ValidationError for every broken rule, with "Tiden är redan bokad" when
    the clinician or the patient is taken at that time (B6).
    """
    Kind = Booking.Kind
    if kind == Kind.TEAM_PARTICIPANT:
        raise ValidationError(_("Medverkan teambesök bokas tillsammans med teambesöket."))
    if not _lock_clinicians([owner, *participants], created_by=created_by,
                            care_unit=care_unit):
        raise ValidationError(_("Du kan bara boka på dina egna vårdenheter."))
    day = timezone.localdate(starts_at)
    booking = Booking(
        kind=kind, care_unit=care_unit, clinician=owner, patient=patient,
        contact_type=contact_type, schedule_activity=schedule_activity,
        visit_reason=visit_reason, visa_webb=visa_webb, kallelse_template=kallelse_template,
        kallelse_delivery=kallelse_delivery, starts_at=starts_at, ends_at=ends_at,
        created_by=created_by, meeting_url=meeting_url.strip(),
    )
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if ends_at <= starts_at:
        error("starts_at", _("Sluttiden måste vara efter starttiden."))
    video = contact_type.is_video and kind != Kind.GROUP
    relative_reason = visit_reason is not None and visit_reason.is_relative_call

    if kind == Kind.GROUP:
        if patient is not None:
            error("patient", _("Ett gruppbesök bokas på sina patienter, inte på en patient."))
        _check_group(booking, group_patients, error)
    elif patient is None:
        error("patient", _("Välj patient."))
    elif kind == Kind.RELATIVE_CALL:
        # B4: never shown to the patient, never a kallelse, never a message to the patient.
        if not relative_reason:
            error("visit_reason", _("Ett anhörigsamtal har besöksorsak ASAM – Anhörigsamtal."))
        if schedule_activity.published_on_1177:
            error("schedule_activity", _("Välj en schemaaktivitet som inte publiceras på "
                                         "1177.se."))
        booking.visa_webb = False
        booking.kallelse_template = None
        booking.kallelse_delivery = ""
        if relative is None:
            error("relative", _("Ange den anhöriges personnummer."))
        elif relative.personnummer == patient.personnummer:
            error("relative", _("Anhörigsamtalet bokas på den anhöriges personnummer, inte "
                                "på patientens."))
    else:
        if relative_reason:
            error("visit_reason", _("ASAM – Anhörigsamtal bokas som anhörigsamtal."))
        if video:
            _check_video_patient(booking, day, primary_contact, agent, error)
            # B2: a video booking always has a kallelse, printed or saved.
            if kallelse_template is None:
                error("kallelse_template", _("Välj kallelse för videobesök – vuxen eller "
                                             "barn."))
            if kallelse_delivery not in Booking.Delivery.values:
                error("kallelse_delivery", _("Välj Skriv ut eller Spara för kallelsen."))
    if kind == Kind.TEAM_OWNER:
        if not participants:
            error("participants", _("Välj minst en medverkande behandlare."))
        if owner in participants:
            error("participants", _("Ägaren av teambesöket kan inte också vara medverkande."))
        if participant_activity is None or participant_activity.published_on_1177:
            # B3: a participating clinician's time is never published on 1177.
            error("participant_activity", _("Medverkande behandlare får schemaaktiviteten "
                                            "Medverkan, som inte publiceras på 1177.se."))
        if not contact_type.is_video:
            error("contact_type", _("Teambesök bokas med kontakttyp DiVL."))
    if errors:
        raise ValidationError(errors)

    # The reference rows are the caller's saved instances and the check constraints are
    # checked above (with the messages a person can act on): validating them here again
    # would cost a query each, and a savepoint each for the constraints, on every
    # booking; the database still enforces both in this transaction.
    booking.full_clean(exclude=["video_visit", *REFERENCES], validate_constraints=False)
    _ensure_free(clinicians=[owner, *participants],
                 patient=patient if video and kind != Kind.RELATIVE_CALL else None,
                 group_patients=group_patients if kind == Kind.GROUP else (),
                 starts_at=starts_at, ends_at=ends_at)
    with _slot_guard() as guard:
        guard.clinician = owner
        booking.save()
        if kind == Kind.GROUP:
            booking.group_patients.set(group_patients)
        for clinician in participants:
            guard.clinician = clinician
            Booking.objects.create(
                kind=Kind.TEAM_PARTICIPANT, care_unit=care_unit, clinician=clinician,
                team_owner_booking=booking, patient=patient, contact_type=contact_type,
                schedule_activity=participant_activity, visit_reason=visit_reason,
                visa_webb=False, starts_at=starts_at, ends_at=ends_at, created_by=created_by)
        if video:
            _create_video_visit(booking, participants=participants, relative=relative,
                                relative_channel=relative_channel,
                                relative_mobile=relative_mobile, relative_email=relative_email)

    if kind == Kind.GROUP:
        for group_patient in group_patients:
            _send_group_message(booking, group_patient)
    elif (video and booking.kallelse_delivery == Booking.Delivery.SAVE
          and not booking.is_relative_call):
        _send_kallelse(booking)
    return booking


def _check_video_patient(booking: Booking, day: datetime.date, primary_contact, agent,
                         error) -> None:
    patient = booking.patient
    refusal = patient.video_refusal_on(day)
    if refusal:
        error("patient", refusal)  # P6
    elif patient.is_child_on(day):
        try:
            child_contacts_clean(patient=patient, care_unit=booking.care_unit,
                                 primary_contact=primary_contact, agent=agent)
        except ValidationError as invalid:  # P5
            for field, messages in invalid.message_dict.items():
                for message in messages:
                    error(field, message)
        booking.primary_contact, booking.agent = primary_contact, agent
    elif not patient.contact_at(booking.care_unit).mobile:  # P4, the booking unit's own
        error("patient", _("Patienten saknar mobilnummer och kan inte få länken till "
                           "videobesöket. Lägg till det på patientsidan."))


def _check_group(booking: Booking, group_patients: Sequence[Patient], error) -> None:
    if len(group_patients) < 2:
        error("group_patients", _("Ett gruppbesök har minst två patienter."))
    if not TEAMS_MEETING_URL.match(booking.meeting_url):
        error("meeting_url", _("Klistra in länken till Teams-mötet. Den börjar med "
                               "https://teams.microsoft.com/l/meetup-join/"))
    booking.kallelse_template = None
    booking.kallelse_delivery = ""


def _lock_clinicians(clinicians: Sequence[User], *, created_by: User,
                     care_unit: CareUnit) -> bool:
    """Lock the clinicians' rows in pk order; True if created_by works at care_unit.

    The lock makes bookings that race for a clinician take turns, so the later one
    sees the earlier one's booking (see _ensure_free); without it, concurrent inserts
    checked by the exclusion constraints can deadlock. The care-unit check rides on
    the same query: one round trip fewer on every booking. SQLite has no row locks
    (its single writer keeps the turns there), so it only needs the check.
    """
    if connection.vendor != "postgresql":
        return created_by.care_units.filter(pk=care_unit.pk).exists()
    # Written out: building it with the ORM took longer than a booking's INSERT.
    with connection.cursor() as cursor:
        cursor.execute(LOCK_CLINICIANS, {"user": created_by.pk, "unit": care_unit.pk,
                                         "clinicians": [c.pk for c in clinicians]})
        return any(works_here for (works_here,) in cursor.fetchall())


def _ensure_free(*, clinicians: Sequence[User], patient: Patient | None,
                 starts_at: datetime.datetime, ends_at: datetime.datetime,
                 group_patients: Sequence[Patient] = ()) -> None:
    """Refuse a time the clinicians or the patient already have (B6).

    The clinicians' rows are locked already (_lock_clinicians) and the patients' are
    locked here, in the order of patients/locks.py, so bookings that race for them
    take turns and the later one sees the earlier one's booking; the constraints
    remain the last word.

    On PostgreSQL the exclusion constraints refuse a clinician's or a patient's
    overlap at the INSERT, and _slot_guard gives the same refusal, so those two
    checks are left to them there: a query fewer on every booking. A group's
    patients have no constraint; they are checked here, after the clinicians, so a
    busy clinician is still the refusal a group booking gets first.
    """
    lock_people(patients=[p for p in (patient, *group_patients) if p is not None])
    if connection.vendor != "postgresql" or group_patients:
        busy = (Booking.objects.active().filter(clinician__in=clinicians)
                .overlapping(starts_at, ends_at).select_related("clinician").first())
        if busy is not None:
            raise _clinician_busy(busy.clinician)
    if connection.vendor != "postgresql" and patient is not None and VideoVisit.objects \
            .active().filter(patient=patient, starts_at__lt=ends_at, ends_at__gt=starts_at) \
            .exists():
        raise ValidationError(
            {"starts_at": [slot_taken_message() + " " + _("Patienten har redan ett "
                                                          "videobesök då.")]},
            code="slot_taken")
    if group_patients:
        # A group's patients: their video visits and their other group visits (B6).
        people = [p.pk for p in group_patients]
        in_visits = (VideoVisit.objects.active()
                     .filter(patient__in=people, starts_at__lt=ends_at, ends_at__gt=starts_at)
                     .values("patient"))
        in_groups = (Booking.objects.active().overlapping(starts_at, ends_at)
                     .filter(group_patients__in=people).values("group_patients"))
        busy_patient = (Patient.objects.filter(pk__in=people)
                        .filter(Q(pk__in=in_visits) | Q(pk__in=in_groups))
                        .order_by("pk").first())
        if busy_patient is not None:
            raise ValidationError(
                {"group_patients": [slot_taken_message() + " " + _(
                    "%(name)s har redan ett besök då.") % {"name": busy_patient.list_name}]},
                code="slot_taken")


def _clinician_busy(clinician: User) -> ValidationError:
    return ValidationError(
        {"starts_at": [slot_taken_message() + " " + _("%(name)s har redan en bokning då.")
                       % {"name": clinician.get_full_name() or clinician}]},
        code="slot_taken")


class _slot_guard:
    """Turn the exclusion constraints' violations into "Tiden är redan bokad" (B6).

    Used inside the services' own atomic blocks, whose savepoint (or transaction) is
    rolled back on the refusal, so the caller's transaction stays usable without a
    savepoint of its own here: that would be two more round trips on every booking.
    Set `clinician` to the clinician whose booking is being written, and a refusal
    names them, as _ensure_free's check does.
    """

    clinician: User | None = None

    def __enter__(self) -> _slot_guard:
        self.atomic = transaction.atomic(savepoint=False)
        self.atomic.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        self.atomic.__exit__(exc_type, exc, tb)
        if exc_type is not None and issubclass(exc_type, IntegrityError):
            name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "") or ""
            if name == BOOKING_OVERLAP and self.clinician is not None:
                raise _clinician_busy(self.clinician) from exc
            if name == BOOKING_OVERLAP:
                raise ValidationError({"starts_at": [slot_taken_message()]},
                                      code="slot_taken") from exc
            if name == VISIT_OVERLAP:
                raise ValidationError(
                    {"starts_at": [slot_taken_message() + " " + _(
                        "Patienten har redan ett videobesök då.")]},
                    code="slot_taken") from exc
        return False


def _create_video_visit(booking: Booking, *, participants: Sequence[User],
                        relative: RegistryPerson | None, relative_channel: str,
                        relative_mobile: str, relative_email: str) -> VideoVisit:
    """The timebook integration: the booking's video visit and its people (B1, B3, B4)."""
    if booking.is_relative_call:
        visit_patient = _register_relative(booking, relative, relative_mobile, relative_email)
        reason = RELATIVE_CALL_VISIT_REASON
    else:
        visit_patient = booking.patient
        reason = booking.visit_reason.name if booking.visit_reason else ""
    visit = VideoVisit(care_unit=booking.care_unit, patient=visit_patient,
                       owner=booking.clinician, starts_at=booking.starts_at,
                       ends_at=booking.ends_at, reason=reason,
                       primary_contact=booking.primary_contact, agent=booking.agent)
    visit.full_clean(validate_constraints=False)
    visit.save()
    visit.staff.set([booking.clinician, *participants])
    Booking.objects.filter(pk=booking.pk).update(video_visit=visit)
    booking.participations.update(video_visit=visit)
    booking.video_visit = visit

    if booking.is_relative_call:
        known = visit_patient.contact_at(booking.care_unit)
        participant_add(visit=visit, kind=Participant.Kind.PATIENT,
                        first_name=visit_patient.first_name, last_name=visit_patient.last_name,
                        personnummer=visit_patient.personnummer, channel=relative_channel,
                        mobile=relative_mobile or known.mobile,
                        email=relative_email or known.email)
    elif booking.agent is not None:
        agent = booking.agent
        contact = agent.contact_at(booking.care_unit)  # the booking unit's own (P5)
        participant_add(visit=visit, kind=Participant.Kind.AGENT, first_name=agent.first_name,
                        last_name=agent.last_name, personnummer=agent.personnummer,
                        channel=Participant.Channel.SMS, mobile=contact.mobile,
                        email=contact.email)
    else:
        patient = booking.patient
        contact = patient.contact_at(booking.care_unit)
        participant_add(visit=visit, kind=Participant.Kind.PATIENT,
                        first_name=patient.first_name, last_name=patient.last_name,
                        personnummer=patient.personnummer, channel=Participant.Channel.SMS,
                        mobile=contact.mobile, email=contact.email)
    realtime.visit_changed(visit)
    return visit


def _register_relative(booking: Booking, relative: RegistryPerson, mobile: str,
                       email: str) -> Patient:
    """The relative as a patient of the unit, from the registry's record (B4, P3), with
    the contact details typed here or those the booking's unit already keeps."""
    known = Patient.objects.filter(personnummer=relative.personnummer).first()
    if known is not None:
        contact = known.contact_at(booking.care_unit)
        mobile, email = mobile or contact.mobile, email or contact.email
    try:
        person = patient_register(person=relative, mobile=mobile, email=email,
                                  user=booking.created_by)
    except ValidationError as invalid:
        raise ValidationError({"relative": invalid.messages}) from invalid
    refusal = person.video_refusal_on(timezone.localdate(booking.starts_at))
    if refusal:
        raise ValidationError({"relative": [refusal]})
    return person


# Notices ----------------------------------------------------------------------------


def kallelse_text(booking: Booking) -> str:
    """The kallelse as the patient reads it, in the patient's language: when, with whom,
    that it is a video visit, and the template's instructions for connecting (B2)."""
    who = booking.clinician.get_full_name()
    with in_patient_language(booking.patient):
        lines = [
            _("Kallelse till videobesök"),
            "",
            _("Tid: %(when)s") % {"when": when_text(booking.starts_at)},
            _("Hos: %(who)s, %(unit)s") % {"who": who, "unit": booking.care_unit.name_for_patients},
            _("Besöket är ett videobesök. Du deltar via din mobil, surfplatta eller dator."),
            "",
            booking.kallelse_template.body if booking.kallelse_template else "",
        ]
    return "\n".join(lines).strip()


def _send_kallelse(booking: Booking) -> None:
    """"Spara": the kallelse goes to the patient's 1177 inbox (B2), in the patient's
    language whatever language the staff member's page speaks."""
    with in_patient_language(booking.patient):
        subject, body = _("Kallelse till videobesök"), kallelse_text(booking)
    outbox_enqueue(channel="portal", recipient=booking.patient.personnummer,
                   subject=subject, body=body,
                   idempotency_key=f"kallelse:{booking.pk}:{booking.starts_at.isoformat()}",
                   visit=booking.video_visit)


def _send_group_message(booking: Booking, patient: Patient, *, key: str = "") -> None:
    """Each patient of a group visit gets the Teams link in their 1177 inbox (B5)."""
    stored = MessageTemplate.objects.filter(key=GROUP_TEMPLATE_KEY).first()
    with in_patient_language(patient):
        subject = stored.subject if stored else _("Länk till ditt gruppbesök")
        start = when_text(booking.starts_at)
    body = stored.body if stored else ("Välkommen till gruppbesöket {{ start }}.\n\n"
                                       "Anslut via Microsoft Teams: {{ meeting_url }}")
    context = Context({"start": start, "meeting_url": booking.meeting_url}, autoescape=False)
    outbox_enqueue(channel="portal", recipient=patient.personnummer,
                   subject=Template(subject).render(context), body=Template(body).render(context),
                   idempotency_key=key or f"gruppbesok:{booking.pk}:{patient.pk}")


def _notify_change(booking: Booking, *, cancelled: bool) -> None:
    """Tell the people concerned that the time moved or was cancelled (B7).

    The visit's participants (patient, agent, or for ASAM the relative) by their
    channel when it moved (booking_cancel tells them when it is cancelled); a patient
    whose kallelse was saved, and each patient of a group, in 1177. The patient of an
    Anhörigsamtal never hears of it (B4).
    """
    # Each move is its own notice: moving back and forth again must be told again.
    stamp = f"{booking.pk}:{'cancel' if cancelled else uuid.uuid4().hex}"
    # In the patient's language, as the kallelse was, whatever the staff member's page speaks.
    with in_patient_language(booking.patient):
        when = when_text(booking.starts_at)
        if cancelled:
            body = _("Ditt videomöte %(when)s är avbokat. Kontakta mottagningen om du har "
                     "frågor.") % {"when": when}
            subject = _("Videomöte avbokat")
        else:
            body = _("Ditt videomöte är flyttat till %(when)s. Använd samma länk som "
                     "tidigare.") % {"when": when}
            subject = _("Videomöte flyttat")
        group_body = body if cancelled else body.replace(_("Använd samma länk som tidigare."),
                                                         _("Teams-länken är densamma."))
    visit = booking.video_visit
    if visit is not None and not cancelled:  # cancelled: see participants_notify_cancelled
        participants_notify_moved(visit=visit, stamp=stamp)
    if booking.kind == Booking.Kind.GROUP:
        for patient in booking.group_patients.all():
            outbox_enqueue(channel="portal", recipient=patient.personnummer, subject=subject,
                           body=group_body,
                           idempotency_key=f"booking-change:{stamp}:group:{patient.pk}")
    elif (booking.kallelse_delivery == Booking.Delivery.SAVE and not booking.is_relative_call
          and booking.patient is not None):
        outbox_enqueue(channel="portal", recipient=booking.patient.personnummer,
                       subject=subject, body=body,
                       idempotency_key=f"booking-change:{stamp}:portal",
                       visit=booking.video_visit)


# Change -----------------------------------------------------------------------------


def _locked(booking: Booking) -> Booking:
    """The owner's booking, locked (step 3 of patients/locks.py)."""
    owner = booking.team_owner_booking or booking
    return Booking.objects.select_for_update(of=("self",), no_key=True).select_related(
        "video_visit", "patient", "clinician", "care_unit").get(pk=owner.pk)


@transaction.atomic
def booking_reschedule(*, booking: Booking, starts_at: datetime.datetime,
                       ends_at: datetime.datetime, user: User) -> Booking:
    """Move a booking, its team bookings and its video visit together (B7, B4).

    The new time must be free in the clinician's schedule, as the booking page offers
    it (free_slots): the same rule whether the move starts there or on the visit page.
    """
    owner = booking.team_owner_booking or booking
    # The people first, then the booking (patients/locks.py); the family is read again
    # under the locks below.
    lock_people(users=[owner.clinician, *(p.clinician for p in owner.participations.active())],
                patients=[p for p in (owner.patient,) if p is not None])
    booking = _locked(booking)
    if not booking.is_active:
        raise ValidationError(_("Bokningen är avbokad och kan inte flyttas."))
    if ends_at <= starts_at:
        raise ValidationError({"starts_at": [_("Sluttiden måste vara efter starttiden.")]})
    visit = booking.video_visit
    if visit is not None and not visit.allows("cancel"):
        raise ValidationError(_("Besöket har redan börjat och kan inte flyttas."))
    patient = booking.patient
    if visit is not None and patient is not None and not booking.is_relative_call and \
            patient.is_child_on(timezone.localdate(booking.starts_at)) != \
            patient.is_child_on(timezone.localdate(starts_at)):
        # Who gets the link and identifies, and the kallelse, follow the age (P5–P7).
        raise ValidationError({"starts_at": [_(
            "Patienten fyller 13 år före den nya tiden, och då får patienten själv länken "
            "i stället för ombudet. Avboka och boka ett nytt besök.")]})
    family = [booking, *booking.participations.select_related("clinician").active()]
    others = Booking.objects.active().exclude(pk__in=[b.pk for b in family])
    busy = (others.filter(clinician__in=[b.clinician_id for b in family])
            .overlapping(starts_at, ends_at).exists())
    if busy:
        raise ValidationError({"starts_at": [slot_taken_message()]}, code="slot_taken")
    if (starts_at, ends_at) not in free_slots(
            owner=booking.clinician, day=timezone.localdate(starts_at),
            participants=[b.clinician for b in family[1:]], moving=booking):
        raise ValidationError({"starts_at": [_(
            "Tiden är inte en ledig tid i schemat för %(name)s. Välj en av de lediga tiderna.")
            % {"name": booking.clinician.get_full_name() or booking.clinician}]},
            code="not_in_schedule")
    with _slot_guard():
        Booking.objects.filter(pk__in=[b.pk for b in family]).update(
            starts_at=starts_at, ends_at=ends_at)
        if visit is not None:
            visit.starts_at, visit.ends_at = starts_at, ends_at
            visit.save(update_fields=["starts_at", "ends_at"])
    booking.starts_at, booking.ends_at = starts_at, ends_at
    if visit is not None:
        realtime.visit_changed(visit)
    _notify_change(booking, cancelled=False)
    return booking


@transaction.atomic
def booking_cancel(*, booking: Booking, user: User) -> Booking:
    """Cancel a booking with its team bookings and its video visit (B7, B4)."""
    booking = _locked(booking)
    if not booking.is_active:
        return booking
    visit = booking.video_visit
    if visit is not None and visit.state != VideoVisit.State.CANCELLED:
        if not visit.allows("cancel"):
            raise ValidationError(_("Besöket har redan börjat och kan inte avbokas."))
        visit.transition("cancel")
        visit.save()
        # Links stop, and everyone sent one is told, as when staff cancel the visit.
        participants_notify_cancelled(visit=visit)
        realtime.visit_changed(visit)
    now = timezone.now()
    Booking.objects.filter(pk=booking.pk).update(cancelled_at=now)
    booking.participations.active().update(cancelled_at=now)
    booking.cancelled_at = now
    _notify_change(booking, cancelled=True)
    return booking


# Feed -------------------------------------------------------------------------------


def self_checkin_feed(*, day: datetime.date, patient: Patient | None = None,
                      care_unit: CareUnit | None = None) -> list[dict]:
    """The bookings of `day` that a patient may check in to by mobile, of one patient,
    one unit or both, JSON-ready (B8, B4, B3); one entry per booking and patient, so a
    group visit has one for each of its patients."""
    tz = timezone.get_current_timezone()
    bookings = Booking.objects.self_checkin().filter(
        starts_at__gte=datetime.datetime.combine(day, datetime.time.min, tzinfo=tz),
        starts_at__lt=datetime.datetime.combine(day + datetime.timedelta(days=1),
                                                datetime.time.min, tzinfo=tz))
    if care_unit is not None:
        bookings = bookings.filter(care_unit=care_unit)
    if patient is not None:
        bookings = bookings.filter(Q(patient=patient) | Q(group_patients=patient)).distinct()
    bookings = (bookings.select_related("contact_type", "care_unit", "patient")
                .prefetch_related("group_patients").order_by("starts_at", "pk"))
    return [{
        "booking": b.pk,
        "personnummer": person.personnummer,
        "start": timezone.localtime(b.starts_at).isoformat(),
        "end": timezone.localtime(b.ends_at).isoformat(),
        "title": _("Videobesök") if b.contact_type.is_video else b.contact_type.name,
        "unit": b.care_unit.name_for_patients,
        "hsa_id": b.care_unit.hsa_id,
    } for b in bookings
        for person in ([b.patient] if b.patient is not None else b.group_patients.all())
        if patient is None or person == patient]


def published_feed(*, patient: Patient) -> list[dict]:
    """A patient's bookings as 1177 may show them, JSON-ready (B8, B4)."""
    with in_patient_language(patient):
        return _feed_rows(patient)


def _feed_rows(patient: Patient) -> list[dict]:
    bookings = (Booking.objects.published()
                .filter(patient=patient) | Booking.objects.published()
                .filter(group_patients=patient)).distinct().select_related(
        "contact_type", "care_unit")
    return [{
        "start": timezone.localtime(b.starts_at).isoformat(),
        "end": timezone.localtime(b.ends_at).isoformat(),
        "title": _("Videobesök") if b.contact_type.is_video else b.contact_type.name,
        "unit": b.care_unit.name_for_patients,
        "meeting_url": b.meeting_url,
    } for b in bookings.order_by("starts_at")]
