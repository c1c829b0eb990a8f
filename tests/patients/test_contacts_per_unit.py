"""Contact details stay with the unit that entered them (P4, S1, S2).

Unit A (care_unit, alice) has Eva with A's mobile and e-mail; unit B (other_unit,
charlie) registers her too. Name and identity are the registry's and shared; the
mobile and e-mail are each unit's own.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry
from bookings.services import booking_create
from guests.models import Participant
from integrations.models import OutboxMessage
from patients.models import Patient, PatientContact
from tests.patients.factories import PatientFactory
from visits.services import visit_create

pytestmark = pytest.mark.django_db

EVA = "198503129820"
A_MOBILE, A_EMAIL = "+46701740605", "eva@a.example.se"
B_MOBILE = "+46701740699"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def eva(care_unit):
    """Eva, a patient of unit A with A's contact details."""
    return PatientFactory(personnummer=EVA, mobile=A_MOBILE, email=A_EMAIL,
                          care_units=[care_unit])


def as_b(client, outsider):
    client.force_login(outsider)
    return outsider


def tomorrow_at(hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(hour),
                                     tzinfo=timezone.get_current_timezone())


def invitation_sms(visit) -> OutboxMessage:
    participant = visit.participants.get(kind=Participant.Kind.PATIENT)
    return OutboxMessage.objects.get(channel="sms", recipient=participant.mobile,
                                     visit=visit)


def register(client, mobile: str = B_MOBILE, email: str = ""):
    return client.post(reverse("patients:create"),
                       {"personnummer": EVA, "mobile": mobile, "email": email})


def test_unit_b_registering_unit_as_patient_starts_with_empty_contact_fields(
        client, outsider, eva):  # S2
    as_b(client, outsider)
    card = client.post(reverse("patients:search"), {"personnummer": EVA}).content.decode()
    assert "Skapa patient" in card
    assert 'name="mobile"' in card and 'name="email"' in card
    for detail in (A_MOBILE, "070-174 06 05", A_EMAIL):
        assert detail not in card
    # Empty, B's mobile is required: A's number does not stand in for it (P4).
    refused = client.post(reverse("patients:create"), {"personnummer": EVA, "mobile": ""},
                          headers=HTMX)
    assert refused.status_code == 422
    assert "Mobilnummer måste anges" in refused.content.decode()

    response = register(client)
    page = client.get(response["Location"]).content.decode()
    assert "070-174 06 99" in page
    for detail in (A_MOBILE, "070-174 06 05", A_EMAIL):
        assert detail not in page
    assert "Används av Vårdcentralen Berghem" in page


def test_unit_b_saving_its_mobile_leaves_unit_as_unchanged(client, alice, outsider, eva,
                                                           care_unit, other_unit):  # S2
    client.force_login(outsider)
    register(client)
    client.post(reverse("patients:update-contact", args=[eva.pk]),
                {"mobile": "070-174 06 98", "email": "eva@b.example.se"})
    a, b = eva.contact_at(care_unit), eva.contact_at(other_unit)
    assert (a.mobile, a.email) == (A_MOBILE, A_EMAIL)
    assert (b.mobile, b.email, b.updated_by) == ("+46701740698", "eva@b.example.se", outsider)

    client.force_login(alice)
    page = client.get(reverse("patients:detail", args=[eva.pk])).content.decode()
    assert "070-174 06 05" in page and A_EMAIL in page
    assert "070-174 06 98" not in page and "eva@b.example.se" not in page


def test_each_units_invitation_sms_goes_to_its_own_number(
        client, ref, clinician, outsider, eva, care_unit, other_unit):  # P4, N1
    client.force_login(outsider)
    register(client)
    a_visit, _invited = visit_create(patient=eva, care_unit=care_unit, owner=clinician,
                                     starts_at=tomorrow_at(9), ends_at=tomorrow_at(10),
                                     reason="Återbesök", staff=[])
    b_booking = booking_create(
        kind="single", care_unit=other_unit, owner=outsider, patient=eva,
        starts_at=tomorrow_at(11), ends_at=tomorrow_at(12), contact_type=ref.divl,
        schedule_activity=ref.video_activity, visit_reason=ref.aterbesok,
        kallelse_template=ref.adult, kallelse_delivery="print", created_by=outsider)
    assert invitation_sms(a_visit).recipient == A_MOBILE
    assert invitation_sms(b_booking.video_visit).recipient == B_MOBILE
    assert set(OutboxMessage.objects.filter(channel="sms")
               .values_list("recipient", flat=True)) == {A_MOBILE, B_MOBILE}


def test_a_units_own_missing_mobile_is_not_filled_in_from_another_unit(
        ref, clinician, outsider, eva, other_unit):  # P4
    eva.care_units.add(other_unit)  # B has her, without contact details of its own
    with pytest.raises(ValidationError, match="saknar mobilnummer"):
        visit_create(patient=eva, care_unit=other_unit, owner=outsider,
                     starts_at=tomorrow_at(9), ends_at=tomorrow_at(10), reason="", staff=[])
    with pytest.raises(ValidationError, match="saknar mobilnummer"):
        booking_create(
            kind="single", care_unit=other_unit, owner=outsider, patient=eva,
            starts_at=tomorrow_at(11), ends_at=tomorrow_at(12), contact_type=ref.divl,
            schedule_activity=ref.video_activity, visit_reason=ref.aterbesok,
            kallelse_template=ref.adult, kallelse_delivery="print", created_by=outsider)
    assert not OutboxMessage.objects.exists()


def test_messages_already_queued_keep_their_recipient(client, alice, outsider, eva,
                                                      care_unit):  # N1
    a_visit, _invited = visit_create(patient=eva, care_unit=care_unit, owner=alice,
                                     starts_at=tomorrow_at(9), ends_at=tomorrow_at(10),
                                     reason="Återbesök", staff=[])
    queued = invitation_sms(a_visit)
    assert queued.status == OutboxMessage.Status.PENDING
    client.force_login(outsider)
    register(client)
    client.post(reverse("patients:update-contact", args=[eva.pk]),
                {"mobile": "070-174 06 98", "email": ""})
    queued.refresh_from_db()
    assert (queued.recipient, queued.status) == (A_MOBILE, OutboxMessage.Status.PENDING)
    assert a_visit.participants.get().mobile == A_MOBILE
    assert OutboxMessage.objects.count() == 1  # nothing re-sent or redirected


def test_registering_a_patient_known_elsewhere_is_logged_for_review(
        client, alice, outsider, eva, care_unit, other_unit):  # S1
    client.force_login(outsider)
    register(client)
    created = AccessLogEntry.objects.get(action="create")
    assert (created.user, created.patient, created.care_unit) == (outsider, eva, other_unit)
    assert created.also_known_at == care_unit.hsa_id
    assert list(AccessLogEntry.objects.for_review()) == [created]
    assert list(AccessLogEntry.objects.joined_elsewhere()) == [created]

    # Each later look names the unit of access and the patient's other units.
    client.get(reverse("patients:detail", args=[eva.pk]))
    b_look = AccessLogEntry.objects.filter(action="view").get()
    assert (b_look.care_unit, b_look.also_known_at) == (other_unit, care_unit.hsa_id)
    client.force_login(alice)
    client.get(reverse("patients:detail", args=[eva.pk]))
    a_look = AccessLogEntry.objects.filter(action="view", user=alice).get()
    assert (a_look.care_unit, a_look.also_known_at) == (care_unit, other_unit.hsa_id)


def test_a_patient_of_one_unit_only_is_no_cross_unit_look(client, alice, care_unit):  # S1
    client.post(reverse("patients:create"), {"personnummer": EVA, "mobile": A_MOBILE})
    client.get(reverse("patients:detail", args=[Patient.objects.get().pk]))
    assert set(AccessLogEntry.objects.values_list("also_known_at", flat=True)) == {""}
    assert not AccessLogEntry.objects.for_review().exists()


def test_log_review_lists_registrations_of_patients_known_elsewhere(
        client, admin_user, outsider, eva, care_unit):  # S1
    client.force_login(outsider)
    register(client)
    client.force_login(admin_user)
    page = client.get(reverse("admin:audit_accesslogentry_changelist"),
                      {"granska": "annan"}).content.decode()
    assert "Registrerad, redan känd vid annan vårdenhet" in page
    assert care_unit.hsa_id in page


def test_a_second_registration_at_the_same_unit_keeps_what_the_form_left_empty(
        client, alice, eva, care_unit):  # P3
    register(client, mobile="", email="")  # alice: eva is already hers
    contact = eva.contact_at(care_unit)
    assert (contact.mobile, contact.email) == (A_MOBILE, A_EMAIL)
    assert PatientContact.objects.count() == 1
