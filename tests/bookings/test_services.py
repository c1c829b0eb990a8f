"""Booking rules B1–B8 through the services, on PostgreSQL."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import formats, translation
from personnummer import personnummer as lib

from bookings.models import Booking
from bookings.services import (
    booking_cancel,
    booking_create,
    booking_reschedule,
    free_slots,
    kallelse_template_for,
    published_feed,
)
from guests.models import Participant
from guests.services import participant_add, participant_remove
from integrations.models import OutboxMessage
from integrations.registry.fixture import FixtureRegistry
from patients.models import Patient
from tests.accounts.factories import UserFactory
from tests.bookings.conftest import ADULT_MOBILE, at
from tests.patients.factories import GuardianFactory, PatientFactory
from visits.models import VideoVisit
from visits.services import visit_transition

pytestmark = pytest.mark.django_db

TEAMS = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=x"
MARGARETA = "195811029882"


def single(ref, clinician, care_unit, patient, start, **kwargs) -> Booking:
    fields = dict(kind="single", care_unit=care_unit, owner=clinician, patient=patient,
                  starts_at=start, ends_at=start + datetime.timedelta(minutes=30),
                  contact_type=ref.divl, schedule_activity=ref.video_activity,
                  visit_reason=ref.aterbesok, kallelse_template=ref.adult,
                  kallelse_delivery="save", created_by=clinician)
    return booking_create(**fields | kwargs)


def asam(ref, clinician, care_unit, patient, start, **kwargs) -> Booking:
    fields = dict(kind="relative_call", care_unit=care_unit, owner=clinician, patient=patient,
                  starts_at=start, ends_at=start + datetime.timedelta(minutes=30),
                  contact_type=ref.divl, schedule_activity=ref.unpublished,
                  visit_reason=ref.asam, visa_webb=False, created_by=clinician,
                  relative=FixtureRegistry().lookup(MARGARETA), relative_channel="sms",
                  relative_mobile="+46701740610")
    return booking_create(**fields | kwargs)


def messages_to(recipient: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(recipient=recipient).order_by("pk"))


def test_a_divl_booking_creates_the_video_visit_with_the_patient(ref, clinician, care_unit,
                                                                 adult, day):  # B1, P4
    booking = single(ref, clinician, care_unit, adult, at(day, 9))
    visit = booking.video_visit
    assert (visit.patient, visit.owner, visit.starts_at) == (adult, clinician, at(day, 9))
    assert list(visit.staff.all()) == [clinician]
    patient = visit.participants.get()
    assert (patient.kind, patient.mobile, patient.channel) == ("patient", ADULT_MOBILE, "sms")
    assert [m.channel for m in messages_to(ADULT_MOBILE)] == ["sms"]


def test_a_booking_that_is_not_divl_creates_no_video_visit(ref, clinician, care_unit, adult,
                                                           day):  # B1
    booking = single(ref, clinician, care_unit, adult, at(day, 9), contact_type=ref.bes,
                     kallelse_template=None, kallelse_delivery="")
    assert booking.video_visit is None
    assert not VideoVisit.objects.exists()


def test_a_video_booking_needs_a_kallelse_and_skriv_ut_or_spara(ref, clinician, care_unit,
                                                               adult, day):  # B2
    with pytest.raises(ValidationError) as refused:
        single(ref, clinician, care_unit, adult, at(day, 9), kallelse_template=None,
               kallelse_delivery="")
    assert "Välj kallelse för videobesök – vuxen eller barn." in \
        refused.value.message_dict["kallelse_template"]
    assert "Välj Skriv ut eller Spara för kallelsen." in \
        refused.value.message_dict["kallelse_delivery"]
    assert not Booking.objects.exists()


def test_spara_sends_the_kallelse_to_the_1177_inbox(ref, clinician, care_unit, adult,
                                                   day):  # B2
    single(ref, clinician, care_unit, adult, at(day, 9))
    portal = OutboxMessage.objects.get(channel="portal")
    assert portal.recipient == adult.personnummer
    assert "videobesök" in portal.body and "BankID" in portal.body


def test_skriv_ut_sends_nothing_to_1177(ref, clinician, care_unit, adult, day):  # B2
    single(ref, clinician, care_unit, adult, at(day, 9), kallelse_delivery="print")
    assert not OutboxMessage.objects.filter(channel="portal").exists()


def test_the_kallelse_is_preselected_by_age_on_the_visit_date(ref, care_unit):  # B2, P7
    turns_13 = PatientFactory(personnummer="201303149809", has_eid=True, care_units=[care_unit])
    assert kallelse_template_for(patient=turns_13, day=datetime.date(2026, 3, 13)) == ref.child
    assert kallelse_template_for(patient=turns_13, day=datetime.date(2026, 3, 14)) == ref.adult


def test_a_child_under_13_gets_the_agent_as_participant(ref, clinician, care_unit, child,
                                                       day):  # P5, P7
    karin = child.guardians.get(first_name="Karin")
    johan = child.guardians.get(first_name="Johan")
    booking = single(ref, clinician, care_unit, child, at(day, 9), kallelse_template=ref.child,
                     primary_contact=johan, agent=karin)
    agent = booking.video_visit.participants.get()
    assert (agent.kind, agent.personnummer, agent.mobile) == (
        "agent", karin.personnummer, karin.contact_at(care_unit).mobile)
    assert (booking.primary_contact, booking.agent) == (johan, karin)
    visit = VideoVisit.objects.get(pk=booking.video_visit_id)
    assert (visit.primary_contact, visit.agent) == (johan, karin)


def test_a_child_who_turns_13_before_the_new_time_is_not_moved_there(
        ref, clinician, care_unit, day, schedule):  # P5, P7
    birthday = day + datetime.timedelta(days=3)
    first_nine = f"{birthday.year - 13 - 2000:02d}{birthday:%m%d}980"
    number = f"20{first_nine}" + next(d for d in "0123456789" if lib.valid(first_nine + d))
    turning = PatientFactory(personnummer=number, has_eid=True, mobile="+46701740611",
                             care_units=[care_unit])
    karin = GuardianFactory(child=turning, mobile="+46701740606")
    booking = single(ref, clinician, care_unit, turning, at(day, 9), kallelse_template=ref.child,
                     primary_contact=karin, agent=karin)
    later = day + datetime.timedelta(days=7)
    with pytest.raises(ValidationError, match="fyller 13 år före den nya tiden"):
        booking_reschedule(booking=booking, starts_at=at(later, 9),
                           ends_at=at(later, 9, 30), user=clinician)
    booking.refresh_from_db()
    assert booking.starts_at == at(day, 9)
    booking_reschedule(booking=booking, starts_at=at(day, 10), ends_at=at(day, 10, 30),
                       user=clinician)  # still 12 then


def test_a_child_under_13_needs_exactly_one_agent(ref, clinician, care_unit, child, day):  # P5
    with pytest.raises(ValidationError) as refused:
        single(ref, clinician, care_unit, child, at(day, 9), kallelse_template=ref.child)
    assert "agent" in refused.value.message_dict
    assert not VideoVisit.objects.exists()


def test_13_or_older_without_eid_is_refused_with_the_reason(ref, clinician, care_unit,
                                                           teen_without_eid, day):  # P6
    with pytest.raises(ValidationError) as refused:
        single(ref, clinician, care_unit, teen_without_eid, at(day, 9))
    assert refused.value.message_dict["patient"] == [teen_without_eid.video_refusal_on(day)]
    assert not Booking.objects.exists()


def test_a_team_visit_makes_every_clinician_sjukvardspersonal(ref, clinician, care_unit, adult,
                                                             colleague_same_unit, day):  # B3
    third = type(clinician).objects.create(username="dora")
    third.care_units.add(care_unit)
    owner = single(ref, clinician, care_unit, adult, at(day, 9), kind="team_owner",
                   participants=[colleague_same_unit, third], participant_activity=ref.medverkan)
    visit = owner.video_visit
    assert set(visit.staff.all()) == {clinician, colleague_same_unit, third}
    parts = Booking.objects.filter(kind="team_participant")
    assert {p.clinician for p in parts} == {colleague_same_unit, third}
    for part in parts:
        assert (part.video_visit, part.contact_type, part.schedule_activity, part.visa_webb) == (
            visit, ref.divl, ref.medverkan, False)
    assert not Booking.objects.published().filter(kind="team_participant").exists()


def test_a_participating_clinician_is_never_published(ref, clinician, care_unit, adult,
                                                     colleague_same_unit, day):  # B3
    with pytest.raises(ValidationError) as refused:
        single(ref, clinician, care_unit, adult, at(day, 9), kind="team_owner",
               participants=[colleague_same_unit], participant_activity=ref.video_activity)
    assert "participant_activity" in refused.value.message_dict


def test_an_anhorigsamtal_is_on_the_relative_and_never_reaches_the_patient(
        ref, clinician, care_unit, adult, day):  # B4
    booking = asam(ref, clinician, care_unit, adult, at(day, 9))
    assert (booking.patient, booking.visa_webb, booking.kallelse_template) == (adult, False, None)
    visit = booking.video_visit
    assert visit.patient.personnummer == MARGARETA
    assert visit.reason == "Anhörigsamtal"
    relative = visit.participants.get()
    assert (relative.kind, relative.channel, relative.mobile) == ("patient", "sms",
                                                                  "+46701740610")
    assert [m.recipient for m in OutboxMessage.objects.all()] == ["+46701740610"]
    assert Patient.objects.get(personnummer=MARGARETA).care_units.filter(pk=care_unit.pk).exists()
    assert not Booking.objects.published().exists()


def test_a_guest_removed_from_an_anhorigsamtal_is_told_and_the_patient_never(
        ref, clinician, care_unit, adult, day):  # B4, G6
    visit = asam(ref, clinician, care_unit, adult, at(day, 9)).video_visit
    guest, _token = participant_add(visit=visit, kind=Participant.Kind.RELATIVE,
                                    first_name="Per", last_name="Ek",
                                    channel=Participant.Channel.SMS, mobile="+46701740611")
    participant_remove(participant=guest)
    [notice] = messages_to("+46701740611")[1:]
    assert "gäller inte längre" in notice.body
    # The relative's own link is untouched, and the patient hears of none of it.
    assert [m.body.split(" ", 1)[0] for m in messages_to("+46701740610")] == ["Du"]
    assert not OutboxMessage.objects.filter(recipient__in=[adult.personnummer, ADULT_MOBILE])


def test_an_anhorigsamtal_by_email(ref, clinician, care_unit, adult, day):  # B4
    booking = asam(ref, clinician, care_unit, adult, at(day, 9), relative_channel="email",
                   relative_email="margareta@example.se")
    assert booking.video_visit.participants.get().channel == "email"
    assert OutboxMessage.objects.get().recipient == "margareta@example.se"


def test_an_anhorigsamtal_needs_an_unpublished_activity_and_the_asam_reason(
        ref, clinician, care_unit, adult, day):  # B4
    with pytest.raises(ValidationError) as refused:
        asam(ref, clinician, care_unit, adult, at(day, 9),
             schedule_activity=ref.video_activity, visit_reason=ref.aterbesok)
    assert {"schedule_activity", "visit_reason"} <= set(refused.value.message_dict)


def test_an_anhorigsamtal_is_never_visa_webb_even_if_asked(ref, clinician, care_unit, adult,
                                                          day):  # B4, B8
    booking = asam(ref, clinician, care_unit, adult, at(day, 9), visa_webb=True)
    assert booking.visa_webb is False
    assert published_feed(patient=adult) == []


def test_a_group_visit_sends_each_patient_the_teams_link_in_1177(ref, clinician, care_unit,
                                                                day):  # B5
    patients = PatientFactory.create_batch(3, care_units=[care_unit])
    booking = booking_create(kind="group", care_unit=care_unit, owner=clinician,
                             starts_at=at(day, 9), ends_at=at(day, 10), contact_type=ref.divl,
                             schedule_activity=ref.video_activity, created_by=clinician,
                             group_patients=patients, meeting_url=TEAMS)
    assert booking.video_visit is None and not VideoVisit.objects.exists()
    assert set(booking.group_patients.all()) == set(patients)
    sent = OutboxMessage.objects.filter(channel="portal")
    assert {m.recipient for m in sent} == {p.personnummer for p in patients}
    assert all(TEAMS in m.body and m.subject == "Länk till ditt gruppbesök" for m in sent)


def test_the_group_message_is_in_the_patients_language_whatever_the_staff_speak(
        ref, clinician, care_unit, day):  # B5
    patients = PatientFactory.create_batch(2, care_units=[care_unit])
    with translation.override("en"):
        booking_create(kind="group", care_unit=care_unit, owner=clinician,
                       starts_at=at(day, 9), ends_at=at(day, 10), contact_type=ref.divl,
                       schedule_activity=ref.video_activity, created_by=clinician,
                       group_patients=patients, meeting_url=TEAMS)
    with translation.override("sv"):
        weekday = formats.date_format(at(day, 9), "l")
    for message in OutboxMessage.objects.filter(channel="portal"):
        assert f"gruppbesöket {weekday} " in message.body


def test_a_group_patient_who_is_busy_then_is_refused_by_name(ref, clinician, care_unit,
                                                             colleague_same_unit, day):  # B6
    first, second = PatientFactory.create_batch(2, care_units=[care_unit])
    busy = PatientFactory(first_name="Upptagen", care_units=[care_unit])
    single(ref, colleague_same_unit, care_unit, busy, at(day, 9, 30))

    def group(patients, start):
        return booking_create(kind="group", care_unit=care_unit, owner=clinician,
                              starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                              contact_type=ref.divl, schedule_activity=ref.video_activity,
                              created_by=clinician, group_patients=patients,
                              meeting_url=TEAMS)

    with pytest.raises(ValidationError) as refused:
        group([first, busy], at(day, 9))
    assert "Upptagen Lindqvist har redan ett besök då" in refused.value.message_dict[
        "group_patients"][0]
    group([first, second], at(day, 9))
    other = UserFactory(care_units=[care_unit])
    with pytest.raises(ValidationError, match="redan ett besök"):  # another group, same time
        booking_create(kind="group", care_unit=care_unit, owner=other,
                       starts_at=at(day, 9), ends_at=at(day, 10), contact_type=ref.divl,
                       schedule_activity=ref.video_activity, created_by=other,
                       group_patients=[second, PatientFactory(care_units=[care_unit])],
                       meeting_url=TEAMS)
    assert Booking.objects.filter(kind="group").count() == 1


@pytest.mark.parametrize("url", ["", "https://example.com/meet", "http://teams.microsoft.com/l/meetup-join/x"])
def test_a_group_visit_needs_a_teams_meeting_link(ref, clinician, care_unit, day, url):  # B5
    patients = PatientFactory.create_batch(2, care_units=[care_unit])
    with pytest.raises(ValidationError) as refused:
        booking_create(kind="group", care_unit=care_unit, owner=clinician, starts_at=at(day, 9),
                       ends_at=at(day, 10), contact_type=ref.divl,
                       schedule_activity=ref.video_activity, created_by=clinician,
                       group_patients=patients, meeting_url=url)
    assert "meeting_url" in refused.value.message_dict


def test_a_group_visit_is_booked_on_its_patients_not_on_one_patient(ref, clinician, care_unit,
                                                                     day):  # B5
    patients = PatientFactory.create_batch(2, care_units=[care_unit])
    with pytest.raises(ValidationError) as refused:
        booking_create(kind="group", care_unit=care_unit, owner=clinician, starts_at=at(day, 9),
                       ends_at=at(day, 10), contact_type=ref.divl, patient=patients[0],
                       schedule_activity=ref.video_activity, created_by=clinician,
                       group_patients=patients, meeting_url=TEAMS)
    assert "patient" in refused.value.message_dict
    assert not Booking.objects.exists()


def test_a_clinician_cannot_be_booked_twice_at_once(ref, clinician, care_unit, day):  # B6
    single(ref, clinician, care_unit, PatientFactory(care_units=[care_unit]), at(day, 9))
    with pytest.raises(ValidationError, match="Tiden är redan bokad"):
        single(ref, clinician, care_unit, PatientFactory(care_units=[care_unit]),
               at(day, 9, 15))
    assert Booking.objects.count() == 1


def test_the_refusal_names_the_busy_clinician_a_team_participant_too(
        ref, clinician, colleague_same_unit, care_unit, adult, day):  # B6
    single(ref, colleague_same_unit, care_unit, PatientFactory(care_units=[care_unit]),
           at(day, 9))
    with pytest.raises(ValidationError) as refused:
        single(ref, colleague_same_unit, care_unit, adult, at(day, 9, 15))
    assert refused.value.message_dict["starts_at"] == [
        "Tiden är redan bokad. Välj en annan tid. Bob Sjöberg har redan en bokning då."]
    with pytest.raises(ValidationError) as refused:
        single(ref, clinician, care_unit, adult, at(day, 9, 15), kind="team_owner",
               participants=[colleague_same_unit], participant_activity=ref.medverkan)
    assert refused.value.message_dict["starts_at"] == [
        "Tiden är redan bokad. Välj en annan tid. Bob Sjöberg har redan en bokning då."]
    assert Booking.objects.count() == 1


def test_a_patient_cannot_have_two_video_visits_at_once(ref, clinician, colleague_same_unit,
                                                        care_unit, adult, day):  # B6
    single(ref, clinician, care_unit, adult, at(day, 9))
    with pytest.raises(ValidationError, match="Tiden är redan bokad") as refused:
        single(ref, colleague_same_unit, care_unit, adult, at(day, 9, 15))
    assert refused.value.message_dict["starts_at"] == [
        "Tiden är redan bokad. Välj en annan tid. Patienten har redan ett videobesök då."]
    assert Booking.objects.count() == 1


def test_free_slots_leave_out_taken_and_participants_busy_times(
        ref, schedule, clinician, colleague_same_unit, care_unit, day):  # B6
    assert len(free_slots(owner=clinician, day=day)) == 6
    single(ref, clinician, care_unit, PatientFactory(care_units=[care_unit]), at(day, 9))
    single(ref, colleague_same_unit, care_unit, PatientFactory(care_units=[care_unit]),
           at(day, 11))
    alone = [start.hour * 60 + start.minute for start, _ in free_slots(owner=clinician, day=day)]
    assert alone == [570, 600, 630, 660, 690]
    team = free_slots(owner=clinician, day=day, participants=[colleague_same_unit])
    assert [s.strftime("%H:%M") for s, _ in team] == ["09:30", "10:00", "10:30", "11:30"]


def test_rescheduling_moves_the_visit_and_tells_the_patient(ref, clinician, care_unit, adult,
                                                           day, schedule):  # B7
    booking = single(ref, clinician, care_unit, adult, at(day, 9))
    booking_reschedule(booking=booking, starts_at=at(day, 11), ends_at=at(day, 11, 30),
                       user=clinician)
    visit = VideoVisit.objects.get()
    assert (visit.starts_at, visit.ends_at) == (at(day, 11), at(day, 11, 30))
    sms = messages_to(ADULT_MOBILE)[-1]
    assert "flyttat" in sms.body and "kl. 11.00" in sms.body
    assert "flyttat" in messages_to(adult.personnummer)[-1].body


def test_cancelling_a_team_visit_cancels_every_booking_and_the_visit(
        ref, clinician, colleague_same_unit, care_unit, adult, day):  # B7, B3
    owner = single(ref, clinician, care_unit, adult, at(day, 9), kind="team_owner",
                   participants=[colleague_same_unit], participant_activity=ref.medverkan)
    booking_cancel(booking=owner.participations.get(), user=clinician)
    assert not Booking.objects.active().exists()
    assert VideoVisit.objects.get().state == "cancelled"
    assert "avbokat" in messages_to(ADULT_MOBILE)[-1].body
    # Both clinicians are free again.
    assert single(ref, colleague_same_unit, care_unit, adult, at(day, 9)).video_visit


def test_avboka_on_the_visit_page_cancels_the_booking_too(ref, clinician, care_unit, adult,
                                                          day, schedule):  # B7, B8
    booking = single(ref, clinician, care_unit, adult, at(day, 9))
    visit = booking.video_visit
    assert published_feed(patient=adult)
    visit_transition(visit=visit, action="cancel", user=clinician)
    booking.refresh_from_db()
    assert booking.cancelled_at and VideoVisit.objects.get().state == "cancelled"
    assert published_feed(patient=adult) == []
    assert (at(day, 9), at(day, 9, 30)) in free_slots(owner=clinician, day=day)
    # The patient is told once, and a failure would show on the visit page (N1).
    told = messages_to(ADULT_MOBILE)[1:]  # after the invitation
    assert len(told) == 1 and "avbokat" in told[0].body and told[0].visit == visit
    assert "avbokat" in messages_to(adult.personnummer)[-1].body  # the saved kallelse, in 1177


def test_rescheduling_an_anhorigsamtal_moves_both_and_never_tells_the_patient(
        ref, clinician, care_unit, adult, day, schedule):  # B4, B7
    booking = asam(ref, clinician, care_unit, adult, at(day, 9))
    booking_reschedule(booking=booking, starts_at=at(day, 10), ends_at=at(day, 10, 30),
                       user=clinician)
    booking_cancel(booking=booking, user=clinician)
    booking.refresh_from_db()
    assert booking.starts_at == at(day, 10) and booking.cancelled_at
    assert booking.video_visit.starts_at == at(day, 10)
    assert booking.video_visit.state == "cancelled"
    bodies = [m.body for m in messages_to("+46701740610")]
    assert len(bodies) == 3 and "flyttat" in bodies[1] and "avbokat" in bodies[2]
    assert not OutboxMessage.objects.filter(recipient__in=[adult.personnummer, ADULT_MOBILE])


def test_every_move_is_told_even_back_to_an_earlier_time(ref, clinician, care_unit, adult,
                                                          day, schedule):  # B7
    booking = single(ref, clinician, care_unit, adult, at(day, 9))
    for hour in (10, 9, 10):
        booking_reschedule(booking=booking, starts_at=at(day, hour),
                           ends_at=at(day, hour, 30), user=clinician)
    moved = [m for m in messages_to(ADULT_MOBILE) if "flyttat" in m.body]
    assert [("kl. 10" in m.body, "kl. 09" in m.body) for m in moved] == [
        (True, False), (False, True), (True, False)]
    assert all(m.visit == booking.video_visit for m in moved)


def test_a_started_visit_cannot_be_rescheduled(ref, clinician, care_unit, adult, day):  # B7
    booking = single(ref, clinician, care_unit, adult, at(day, 9))
    VideoVisit.objects.filter(pk=booking.video_visit.pk).update(state="started")
    with pytest.raises(ValidationError, match="redan börjat"):
        booking_reschedule(booking=booking, starts_at=at(day, 10), ends_at=at(day, 10, 30),
                           user=clinician)


def test_only_published_bookings_reach_the_patients_feed(ref, clinician, care_unit, adult,
                                                        colleague_same_unit, day):  # B8
    shown = single(ref, clinician, care_unit, adult, at(day, 9))
    single(ref, clinician, care_unit, adult, at(day, 10), visa_webb=False)
    single(ref, clinician, care_unit, adult, at(day, 10, 30),
           schedule_activity=ref.unpublished)
    single(ref, clinician, care_unit, adult, at(day, 11), kind="team_owner",
           participants=[colleague_same_unit], participant_activity=ref.medverkan,
           visa_webb=False)
    asam(ref, clinician, care_unit, adult, at(day, 11, 30))
    assert list(Booking.objects.published()) == [shown]
    feed = published_feed(patient=adult)
    assert [item["start"] for item in feed] == [at(day, 9).isoformat()]
    assert feed[0]["title"] == "Videobesök"


def test_staff_book_only_at_their_own_units(ref, outsider, care_unit, adult, day):
    with pytest.raises(ValidationError, match="egna vårdenheter"):
        single(ref, outsider, care_unit, adult, at(day, 9))


def test_the_participant_kinds_are_identified(ref, clinician, care_unit, adult, day):  # G4
    booking = single(ref, clinician, care_unit, adult, at(day, 9))
    assert booking.video_visit.participants.get().kind == Participant.Kind.PATIENT


def test_a_console_visit_without_booking_keeps_its_staff_busy(ref, schedule, clinician,
                                                             colleague_same_unit, care_unit,
                                                             day):  # B6
    from tests.visits.factories import VideoVisitFactory

    VideoVisitFactory(owner=colleague_same_unit, care_unit=care_unit, starts_at=at(day, 10),
                      staff=[clinician])
    starts = [s.strftime("%H:%M") for s, _ in free_slots(owner=clinician, day=day)]
    assert "10:00" not in starts and "09:30" in starts and "10:30" in starts
