import datetime

import pytest
from django.utils import timezone

from bookings.models import (
    ScheduleBlock,
)
from tests.patients.factories import GuardianFactory, PatientFactory

ADULT_MOBILE = "+46701740605"


@pytest.fixture
def day() -> datetime.date:
    """A day ahead, so every slot of it is still bookable."""
    return timezone.localdate() + datetime.timedelta(days=2)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute),
                                     tzinfo=timezone.get_current_timezone())


@pytest.fixture
def schedule(ref, day, clinician, colleague_same_unit, care_unit):
    """alice and bob work 09–12 that day in 30-minute slots."""
    for user in [clinician, colleague_same_unit]:
        ScheduleBlock.objects.create(clinician=user, care_unit=care_unit,
                                     activity=ref.video_activity, day=day,
                                     start_time=datetime.time(9), end_time=datetime.time(12))


@pytest.fixture
def adult(care_unit):
    """Eva Lindqvist, with ADULT_MOBILE at the care unit."""
    return PatientFactory(first_name="Eva", last_name="Lindqvist", mobile=ADULT_MOBILE,
                          care_units=[care_unit])


@pytest.fixture
def child(care_unit):
    """Lo Berg, 9 years old, with two guardians; Karin has a mobile."""
    lo = PatientFactory(personnummer="201706159835", first_name="Lo", last_name="Berg",
                        has_eid=False, mobile="", care_units=[care_unit])
    GuardianFactory(child=lo, personnummer="198409219840", first_name="Karin",
                    mobile="+46701740606")
    GuardianFactory(child=lo, personnummer="198301309855", first_name="Johan",
                    mobile="+46701740607")
    return lo


@pytest.fixture
def teen_without_eid(care_unit):
    """Adam Holm, 15, no e-ID (P6)."""
    return PatientFactory(personnummer="201108199876", first_name="Adam", last_name="Holm",
                          has_eid=False, mobile="+46701740608", care_units=[care_unit])
