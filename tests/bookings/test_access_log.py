"""Bookings in the access log: the booking page, the printed kallelse, refusals (S1, S2)."""

import pytest
from django.urls import reverse

from audit.models import AccessLogEntry
from bookings.services import booking_create
from tests.bookings.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(ref, clinician, care_unit, adult, day):
    return booking_create(kind="single", care_unit=care_unit, owner=clinician, patient=adult,
                          starts_at=at(day, 9), ends_at=at(day, 9, 30),
                          contact_type=ref.divl, schedule_activity=ref.video_activity,
                          created_by=clinician, kallelse_template=ref.adult,
                          kallelse_delivery="print")


def test_printing_the_kallelse_is_logged_as_a_print(client, clinician, booking,
                                                    care_unit):  # S1, B2
    client.force_login(clinician)
    assert client.get(reverse("bookings:kallelse", args=[booking.pk])).status_code == 200
    row = AccessLogEntry.objects.get()
    assert (row.user, row.patient, row.action, row.care_unit) == (
        clinician, booking.patient, AccessLogEntry.Action.PRINT, care_unit)
    assert (row.object_type, row.object_id) == ("bookings.booking", str(booking.pk))


def test_another_unit_is_refused_the_booking_with_a_denied_row(client, outsider,
                                                               booking):  # S1, S2
    client.force_login(outsider)
    assert client.get(reverse("bookings:detail", args=[booking.pk])).status_code == 403
    row = AccessLogEntry.objects.get()
    assert (row.user, row.patient, row.outcome) == (
        outsider, booking.patient, AccessLogEntry.Outcome.DENIED)
