"""A guardian's contact details stay with the unit that entered them (P5, S2), and a user
in several units acts through one unit everywhere (patients.access.unit_of_access).

Lo (9) is a patient of unit A (care_unit, alice) and unit B (other_unit, charlie); her
guardian Karin has A's mobile. The agent's link of A's visits goes to A's number.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from bookings.forms import WizardContext
from bookings.services import booking_create
from guests.models import Participant
from integrations.models import OutboxMessage
from patients.access import unit_of_access
from patients.services import guardian_update_contact
from tests.accounts.factories import UserFactory
from tests.patients.factories import GuardianFactory, PatientFactory
from visits.services import visit_create

pytestmark = pytest.mark.django_db

LO = "201706159835"
A_MOBILE, A_SHOWN = "+46701740606", "070-174 06 06"
B_MOBILE, B_SHOWN = "+46701740699", "070-174 06 99"


@pytest.fixture
def lo(care_unit, other_unit):
    # care_unit is made first: the lower id of the two.
    return PatientFactory(personnummer=LO, first_name="Lo", last_name="Berg", has_eid=False,
                          mobile="", care_units=[care_unit, other_unit])


@pytest.fixture
def karin(lo, care_unit, clinician):
    karin = GuardianFactory(child=lo, personnummer="198409219840", first_name="Karin")
    guardian_update_contact(guardian=karin, care_unit=care_unit, mobile=A_MOBILE, email="",
                            user=clinician)
    return karin


def b_saves(client, outsider, lo, karin, mobile="0701740699"):
    client.force_login(outsider)
    return client.post(reverse("patients:update-guardian", args=[lo.pk, karin.pk]),
                       {f"g{karin.pk}-mobile": mobile, f"g{karin.pk}-email": ""})


def tomorrow_at(hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(hour),
                                     tzinfo=timezone.get_current_timezone())


def agent_sms(visit) -> OutboxMessage:
    participant = visit.participants.get(kind=Participant.Kind.AGENT)
    return OutboxMessage.objects.get(channel="sms", visit=visit, recipient=participant.mobile)


def a_visit(lo, karin, care_unit, owner, hour=9):
    visit, _invited = visit_create(patient=lo, care_unit=care_unit, owner=owner,
                                   starts_at=tomorrow_at(hour), ends_at=tomorrow_at(hour + 1),
                                   reason="Återbesök", staff=[], primary_contact=karin,
                                   agent=karin)
    return visit


def test_unit_b_never_sees_unit_as_guardian_number_on_relationer(client, outsider, lo,
                                                                  karin):  # S2
    client.force_login(outsider)
    page = client.get(reverse("patients:relations", args=[lo.pk])).content.decode()
    assert "Karin Berg" in page
    assert A_SHOWN not in page and A_MOBILE not in page


def test_unit_b_saving_a_guardians_number_leaves_unit_as(client, alice, outsider, lo, karin,
                                                         care_unit, other_unit):  # S2
    assert b_saves(client, outsider, lo, karin).status_code in {200, 302}
    a, b = karin.contact_at(care_unit), karin.contact_at(other_unit)
    assert a.mobile == A_MOBILE
    assert (b.mobile, b.updated_by) == (B_MOBILE, outsider)

    client.force_login(alice)
    page = client.get(reverse("patients:relations", args=[lo.pk])).content.decode()
    assert A_SHOWN in page and B_SHOWN not in page


def test_each_units_agent_sms_goes_to_its_own_number(client, ref, clinician, outsider, lo,
                                                     karin, other_unit, care_unit):  # P5, N1
    b_saves(client, outsider, lo, karin)
    visit = a_visit(lo, karin, care_unit, clinician)
    booking = booking_create(
        kind="single", care_unit=other_unit, owner=outsider, patient=lo,
        starts_at=tomorrow_at(11), ends_at=tomorrow_at(12), contact_type=ref.divl,
        schedule_activity=ref.video_activity, visit_reason=ref.aterbesok,
        kallelse_template=ref.child, kallelse_delivery="print", created_by=outsider,
        primary_contact=karin, agent=karin)
    assert agent_sms(visit).recipient == A_MOBILE
    assert agent_sms(booking.video_visit).recipient == B_MOBILE


def test_a_units_missing_guardian_number_is_not_filled_in_from_another_unit(
        outsider, lo, karin, other_unit):  # P5
    with pytest.raises(ValidationError) as refused:
        a_visit(lo, karin, other_unit, outsider)
    assert "Ombudet saknar mobilnummer" in refused.value.message_dict["agent"][0]
    assert not OutboxMessage.objects.exists()


def test_the_visit_page_shows_the_visits_units_number(client, alice, clinician, outsider, lo,
                                                      karin, care_unit, other_unit):  # S2
    b_saves(client, outsider, lo, karin)
    b_visit = a_visit(lo, karin, other_unit, outsider, hour=11)
    page = client.get(reverse("visits:detail", args=[b_visit.pk])).content.decode()
    facts = page[page.index("Primär kontakt"):page.index("Ansvarig")]
    assert B_SHOWN in facts and A_SHOWN not in facts

    client.force_login(clinician)
    a = a_visit(lo, karin, care_unit, clinician)
    facts = client.get(reverse("visits:detail", args=[a.pk])).content.decode()
    facts = facts[facts.index("Primär kontakt"):facts.index("Ansvarig")]
    assert A_SHOWN in facts and B_SHOWN not in facts


def test_refreshing_from_the_registry_keeps_each_units_guardian_details(
        client, alice, outsider, lo, karin, care_unit, other_unit):  # P3
    b_saves(client, outsider, lo, karin)
    client.force_login(alice)
    client.post(reverse("patients:refresh", args=[lo.pk]), headers={"HX-Request": "true"})
    karin = lo.guardians.get(personnummer="198409219840")
    assert karin.contact_at(care_unit).mobile == A_MOBILE
    assert karin.contact_at(other_unit).mobile == B_MOBILE


@pytest.fixture
def both(client, care_unit, other_unit):
    """dana: a clinician in unit A and unit B, signed in."""
    dana = UserFactory(username="dana", first_name="Dana", last_name="Sund",
                       care_units=[care_unit, other_unit])
    client.force_login(dana)
    return dana


def test_a_user_in_two_units_reads_edits_and_sends_to_the_same_units_details(
        client, both, outsider, lo, karin, care_unit, other_unit):  # P5, S2
    b_saves(client, outsider, lo, karin)
    client.force_login(both)
    unit = unit_of_access(both, lo)
    shown, other_shown = (A_SHOWN, B_SHOWN) if unit == care_unit else (B_SHOWN, A_SHOWN)
    mobile = karin.contact_at(unit).mobile

    # Relationer shows the unit's number.
    page = client.get(reverse("patients:relations", args=[lo.pk])).content.decode()
    assert shown in page and other_shown not in page
    # Boka videobesök books at that unit.
    assert WizardContext(user=both, patient=lo, owner=both).care_unit == unit
    # Nytt besök makes the visit at that unit and the agent's link goes to its number.
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    client.post(reverse("visits:new"), {
        "personnummer": LO, "day": tomorrow.isoformat(), "start": "13:30", "minutes": "30",
        "reason": "Uppföljning", "primary_contact": karin.pk, "agent": karin.pk})
    visit = lo.video_visits.get()
    assert visit.care_unit == unit
    assert agent_sms(visit).recipient == mobile
    # Saving on Relationer changes that unit's number only.
    client.post(reverse("patients:update-guardian", args=[lo.pk, karin.pk]),
                {f"g{karin.pk}-mobile": "0701740611", f"g{karin.pk}-email": ""})
    assert karin.contact_at(unit).mobile == "+46701740611"
    others = {care_unit, other_unit} - {unit}
    assert all(karin.contact_at(u).mobile != "+46701740611" for u in others)


def test_the_unit_of_access_is_the_users_lowest_id_unit_that_has_the_patient(
        both, lo, care_unit, other_unit, outsider):
    assert care_unit.pk < other_unit.pk
    assert unit_of_access(both, lo) == care_unit
    # A patient only B has is reached through B.
    eva = PatientFactory(care_units=[other_unit])
    assert unit_of_access(both, eva) == other_unit
    # Booking for a clinician of B only: at B, the unit they share.
    assert unit_of_access(both, lo, owner=outsider) == other_unit
