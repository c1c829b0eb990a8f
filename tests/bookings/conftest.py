import datetime

import pytest
from django.utils import timezone

from bookings.models import (
    ContactType,
    KallelseTemplate,
    ScheduleActivity,
    ScheduleBlock,
    VisitReason,
)
from integrations.models import MessageTemplate
from tests.patients.factories import GuardianFactory, PatientFactory


@pytest.fixture
def ref(db):
    """The routine's reference data, as seed_demo creates it."""

    class Ref:
        divl = ContactType.objects.create(code="DiVL", name="Videobesök", is_video=True)
        bes = ContactType.objects.create(code="BES", name="Mottagningsbesök")
        video_activity = ScheduleActivity.objects.create(name="Videobesök")
        medverkan = ScheduleActivity.objects.create(name="Medverkan", published_on_1177=False)
        unpublished = ScheduleActivity.objects.create(name="Ej webbpublicerad tid",
                                                      published_on_1177=False)
        asam = VisitReason.objects.create(code="ASAM", name="ASAM – Anhörigsamtal",
                                          is_relative_call=True, self_checkin_exempt=True)
        aterbesok = VisitReason.objects.create(code="ÅTB", name="Återbesök")
        adult = KallelseTemplate.objects.create(
            name="Videobesök – vuxen", audience="adult",
            body="Legitimera dig med BankID. Testa kamera och mikrofon. Avboka via 1177.se.")
        child = KallelseTemplate.objects.create(
            name="Videobesök – barn", audience="child",
            body="Barnets ombud legitimerar sig med BankID.")
        teams = MessageTemplate.objects.create(
            key="gruppbesok-teams", name="Länk till gruppbesök via Teams", channel="portal",
            subject="Länk till ditt gruppbesök",
            body="Välkommen till gruppbesöket {{ start }}. Anslut: {{ meeting_url }}")

    return Ref


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
    return PatientFactory(first_name="Eva", last_name="Lindqvist", care_units=[care_unit])


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
