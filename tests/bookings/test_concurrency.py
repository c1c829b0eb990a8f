"""B6 under real concurrency: PostgreSQL's exclusion constraints decide, not a lucky check."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from bookings.models import Booking
from bookings.services import booking_create
from tests.bookings.conftest import at
from tests.patients.factories import PatientFactory
from visits.models import VideoVisit

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20


def race(book) -> tuple[list, list[str]]:
    """Run `book(n)` in THREADS threads released at the same instant."""
    barrier = threading.Barrier(THREADS)
    won, refused = [], []

    def run(n: int) -> None:
        try:
            barrier.wait()
            won.append(book(n))
        except ValidationError as error:
            refused.extend(error.messages)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return won, refused


def booking_kwargs(ref, clinician, care_unit, patient, start) -> dict:
    return dict(kind="single", care_unit=care_unit, owner=clinician, patient=patient,
                starts_at=start, ends_at=start + datetime.timedelta(minutes=30),
                contact_type=ref.divl, schedule_activity=ref.video_activity,
                kallelse_template=ref.adult, kallelse_delivery="print", created_by=clinician)


def test_twenty_bookings_of_one_slot_exactly_one_wins(ref, clinician, care_unit, day):  # B6
    patients = PatientFactory.create_batch(THREADS, care_units=[care_unit])
    won, refused = race(lambda n: booking_create(
        **booking_kwargs(ref, clinician, care_unit, patients[n], at(day, 9))))
    assert len(won) == 1
    assert len(refused) == THREADS - 1
    assert all(message.startswith("Tiden är redan bokad") for message in refused)
    assert Booking.objects.count() == 1 and VideoVisit.objects.count() == 1


def test_one_patient_booked_with_twenty_clinicians_at_once_gets_one_visit(
        ref, care_unit, day, django_user_model):  # B6
    patient = PatientFactory(care_units=[care_unit])
    clinicians = []
    for n in range(THREADS):
        user = django_user_model.objects.create(username=f"clinician{n}")
        user.care_units.add(care_unit)
        clinicians.append(user)
    won, refused = race(lambda n: booking_create(
        **booking_kwargs(ref, clinicians[n], care_unit, patient, at(day, 9, n))))
    assert len(won) == 1
    assert len(refused) == THREADS - 1
    assert all(message.startswith("Tiden är redan bokad") for message in refused)
    assert VideoVisit.objects.filter(patient=patient).count() == 1
    assert Booking.objects.count() == 1


def test_the_database_itself_refuses_overlaps_that_bypass_the_service(
        ref, clinician, care_unit, day):  # B6
    from django.db import IntegrityError, transaction

    from tests.visits.factories import VideoVisitFactory

    patient = PatientFactory(care_units=[care_unit])
    fields = dict(kind="single", care_unit=care_unit, clinician=clinician, patient=patient,
                  contact_type=ref.divl, schedule_activity=ref.video_activity,
                  created_by=clinician, starts_at=at(day, 9), ends_at=at(day, 9, 30))
    Booking.objects.create(**fields)
    with pytest.raises(IntegrityError, match="bookings_booking_no_overlap_per_clinician"), \
            transaction.atomic():
        Booking.objects.create(**fields | {"starts_at": at(day, 9, 15),
                                           "ends_at": at(day, 9, 45)})
    # Back to back is fine, and a cancelled booking frees its time.
    Booking.objects.create(**fields | {"starts_at": at(day, 9, 30), "ends_at": at(day, 10)})
    Booking.objects.filter(starts_at=at(day, 9)).update(cancelled_at=at(day, 8))
    Booking.objects.create(**fields)

    VideoVisitFactory(patient=patient, starts_at=at(day, 13))
    with pytest.raises(IntegrityError, match="visits_videovisit_no_overlap_per_patient"), \
            transaction.atomic():
        VideoVisitFactory(patient=patient, starts_at=at(day, 13, 10))
    VideoVisit.objects.filter(patient=patient).update(state="cancelled")
    VideoVisitFactory(patient=patient, starts_at=at(day, 13, 10))
