"""Byt ombud / primär kontakt: visit_change_contacts (P5, G4, G5)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings.services import booking_create
from guests.models import Participant
from guests.services import LinkProblem, link_resolve, link_url, token_for
from integrations.delivery import body_to_send
from integrations.models import OutboxMessage
from tests.patients.factories import GuardianFactory, PatientFactory
from tests.visits.factories import at
from visits.models import VideoVisit
from visits.services import visit_change_contacts, visit_create

pytestmark = pytest.mark.django_db
KARIN_MOBILE, JOHAN_MOBILE = "+46701740606", "+46701740607"


@pytest.fixture
def child(care_unit):
    """Lo Berg, 9 years old, with her guardians Karin and Johan."""
    return PatientFactory(personnummer="201706159835", first_name="Lo", last_name="Berg",
                          has_eid=False, mobile="", care_units=[care_unit])


@pytest.fixture
def karin(child):
    return GuardianFactory(child=child, personnummer="198409219840", first_name="Karin",
                           mobile=KARIN_MOBILE)


@pytest.fixture
def johan(child):
    return GuardianFactory(child=child, personnummer="198301309855", first_name="Johan",
                           mobile=JOHAN_MOBILE)


@pytest.fixture
def created(clinician, care_unit, child, karin, johan):
    """Lo's visit tomorrow, made with Karin as primary contact and agent; her link."""
    starts = at(timezone.localdate() + datetime.timedelta(days=1), 10)
    visit, agent, token = visit_create(
        patient=child, care_unit=care_unit, owner=clinician, starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=30), reason="Uppföljning", staff=[],
        primary_contact=karin, agent=karin)
    return visit, agent, token


@pytest.fixture
def visit(created):
    return created[0]


@pytest.fixture
def karins_token(created):
    return created[2]


def change(visit, user, *, primary_contact, agent):
    return visit_change_contacts(visit=visit, primary_contact=primary_contact, agent=agent,
                                 user=user)


def agents(visit) -> list[Participant]:
    return list(visit.participants.active().filter(kind=Participant.Kind.AGENT))


def unchanged(visit, karin, karins_token) -> bool:
    """The visit still has Karin as both, her link opens, and nothing went to anyone new."""
    visit.refresh_from_db()
    return ((visit.primary_contact, visit.agent) == (karin, karin)
            and [a.personnummer for a in agents(visit)] == [karin.personnummer]
            and link_resolve(karins_token).personnummer == karin.personnummer
            and list(OutboxMessage.objects.values_list("recipient", flat=True))
            == [KARIN_MOBILE])


# The service


def test_a_new_agent_gets_a_link_of_their_own_and_the_old_one_stops(
        visit, clinician, karin, johan, karins_token):  # P5, G4, G5
    karins = agents(visit)[0]
    result = change(visit, clinician, primary_contact=karin, agent=johan)

    assert result.changed == ("agent",)
    visit.refresh_from_db()
    assert (visit.primary_contact, visit.agent) == (karin, johan)
    with pytest.raises(LinkProblem) as problem:
        link_resolve(karins_token)
    assert problem.value.code == "revoked"
    karins.refresh_from_db()
    assert karins.removed_at is not None
    # Johan identifies with his own personnummer: the e-ID must match him (G4).
    [new] = agents(visit)
    assert new == result.agent_participant
    assert (new.personnummer, new.mobile, new.channel) == (johan.personnummer, JOHAN_MOBILE,
                                                           "sms")
    # His invitation goes through the outbox, as when the visit was made (N1, G6).
    sms = OutboxMessage.objects.get(recipient=JOHAN_MOBILE)
    link = new.links.get(revoked_at__isnull=True)
    assert sms.visit == visit and sms.link_ref == str(link.pk)
    assert link_url(token_for(link)) in body_to_send(sms)
    assert johan.personnummer not in sms.body and "Uppföljning" not in sms.body
    assert link_resolve(token_for(link)) == new


def test_a_guardian_without_a_mobile_is_refused_and_nothing_changes(
        visit, clinician, karin, johan, karins_token):  # P5
    johan.mobile = ""
    johan.save()
    with pytest.raises(ValidationError) as refused:
        change(visit, clinician, primary_contact=johan, agent=johan)
    assert "Ombudet saknar mobilnummer" in refused.value.message_dict["agent"][0]
    assert unchanged(visit, karin, karins_token)


def test_a_stored_number_that_is_no_mobile_is_refused_too(visit, clinician, karin, johan,
                                                          karins_token):  # P5
    johan.mobile = "090-123456"  # a landline, typed in admin
    johan.save()
    with pytest.raises(ValidationError) as refused:
        change(visit, clinician, primary_contact=karin, agent=johan)
    assert "inte ett giltigt svenskt mobilnummer" in refused.value.message_dict["agent"][0]
    assert unchanged(visit, karin, karins_token)


def test_someone_not_the_childs_guardian_is_refused(visit, clinician, karin,
                                                    karins_token):  # P5
    stranger = GuardianFactory(personnummer="195811029882", first_name="Margareta",
                               mobile="+46701740610")  # another child's guardian
    with pytest.raises(ValidationError) as refused:
        change(visit, clinician, primary_contact=stranger, agent=stranger)
    assert set(refused.value.message_dict) == {"primary_contact", "agent"}
    assert unchanged(visit, karin, karins_token)


@pytest.mark.parametrize("state", [VideoVisit.State.FINISHED, VideoVisit.State.CANCELLED])
def test_a_finished_or_cancelled_visit_keeps_its_agent(visit, clinician, karin, johan,
                                                      karins_token, state):
    VideoVisit.objects.filter(pk=visit.pk).update(state=state)
    with pytest.raises(ValidationError) as refused:
        change(visit, clinician, primary_contact=johan, agent=johan)
    assert "avslutat eller avbokat" in refused.value.messages[0]
    visit.refresh_from_db()
    assert (visit.primary_contact, visit.agent) == (karin, karin)
    assert not OutboxMessage.objects.filter(recipient=JOHAN_MOBILE).exists()


def test_only_a_new_primary_contact_sends_nothing(visit, clinician, karin, johan,
                                                  karins_token):  # P5
    result = change(visit, clinician, primary_contact=johan, agent=karin)
    assert result.changed == ("primary_contact",) and result.agent_participant is None
    visit.refresh_from_db()
    assert (visit.primary_contact, visit.agent) == (johan, karin)
    assert link_resolve(karins_token).personnummer == karin.personnummer
    assert list(OutboxMessage.objects.values_list("recipient", flat=True)) == [KARIN_MOBILE]
    assert visit.participants.count() == 1


def test_the_same_agent_again_changes_and_sends_nothing(visit, clinician, karin,
                                                        karins_token):
    result = change(visit, clinician, primary_contact=karin, agent=karin)
    assert result.changed == ()
    assert unchanged(visit, karin, karins_token)
    assert visit.participants.count() == 1


def test_a_booked_visits_booking_follows(ref, clinician, care_unit, child, karin, johan):  # P5
    starts = at(timezone.localdate() + datetime.timedelta(days=2), 9)
    booking = booking_create(
        kind="single", care_unit=care_unit, owner=clinician, patient=child,
        starts_at=starts, ends_at=starts + datetime.timedelta(minutes=30),
        contact_type=ref.divl, schedule_activity=ref.video_activity,
        visit_reason=ref.aterbesok, kallelse_template=ref.child, kallelse_delivery="print",
        created_by=clinician, primary_contact=karin, agent=karin)
    result = change(booking.video_visit, clinician, primary_contact=johan, agent=johan)
    assert result.booking == booking
    booking.refresh_from_db()
    assert (booking.primary_contact, booking.agent) == (johan, johan)
    assert [a.personnummer for a in agents(booking.video_visit)] == [johan.personnummer]
