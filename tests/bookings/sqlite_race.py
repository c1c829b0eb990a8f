"""Run by test_sqlite_race in a fresh process on an SQLite file: ten threads book one slot.

Prints how many bookings were made and the refusals' messages, as JSON.
"""

import datetime
import json
import threading

import django

django.setup()

from django.core.exceptions import ValidationError  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import CareUnit, User  # noqa: E402
from bookings.models import Booking, ContactType, ScheduleActivity  # noqa: E402
from bookings.services import booking_create  # noqa: E402
from tests.patients.factories import PatientFactory  # noqa: E402

THREADS = 10

call_command("migrate", verbosity=0)
unit = CareUnit.objects.create(name="Vårdcentralen", hsa_id="SE2321000222-VC09")
user = User.objects.create(username="alice")
user.care_units.add(unit)
patients = [PatientFactory(created_by=user, care_units=[unit]) for _ in range(THREADS)]
divl = ContactType.objects.create(code="BES", name="Mottagningsbesök")
activity = ScheduleActivity.objects.create(name="Mottagning")
start = datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=2),
                                  datetime.time(9), tzinfo=timezone.get_current_timezone())
barrier = threading.Barrier(THREADS)
refusals: list[str] = []


def book(n: int) -> None:
    try:
        barrier.wait()
        booking_create(kind="single", care_unit=unit, owner=user, patient=patients[n],
                       starts_at=start, ends_at=start + datetime.timedelta(minutes=30),
                       contact_type=divl, schedule_activity=activity, created_by=user)
    except ValidationError as error:
        refusals.extend(error.messages)
    finally:
        connection.close()


threads = [threading.Thread(target=book, args=(n,)) for n in range(THREADS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"bookings": Booking.objects.count(), "refusals": refusals}))
