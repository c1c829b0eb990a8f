import datetime

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core import serializers
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.management.commands.seed_demo import DEMO_PASSWORD, demo_day_start
from accounts.models import CareUnit, User
from bookings.models import (
    ContactType,
    KallelseTemplate,
    ScheduleActivity,
    ScheduleBlock,
    VisitReason,
)
from guests.models import InterpreterAgency, Participant
from integrations.models import MessageTemplate, OutboxMessage
from patients.models import Patient
from visits.models import VideoVisit

pytestmark = pytest.mark.django_db

OUR_APPS = ["accounts", "patients", "bookings", "visits", "guests", "integrations"]


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def snapshot() -> str:
    models = [m for label in OUR_APPS for m in apps.get_app_config(label).get_models()]
    rows = [obj for model in models for obj in model.objects.order_by("pk")]
    return serializers.serialize("json", rows)


def test_it_creates_the_unit_staff_and_reference_data_of_the_routine(debug_on):
    call_command("seed_demo", stdout=open("/dev/null", "w"))

    unit = CareUnit.objects.get()
    assert unit.hsa_id.startswith("SE")
    titles = set(User.objects.filter(care_units=unit).values_list("title", flat=True))
    assert {"Läkare", "Psykolog", "Vårdadministratör"} <= titles

    divl = ContactType.objects.get(code="DiVL")
    assert divl.is_video
    assert not ScheduleActivity.objects.get(name="Medverkan").published_on_1177
    asam = VisitReason.objects.get(name="ASAM – Anhörigsamtal")
    assert asam.is_relative_call and asam.self_checkin_exempt
    assert set(KallelseTemplate.objects.values_list("name", "audience")) == {
        ("Videobesök – vuxen", "adult"), ("Videobesök – barn", "child")}
    assert MessageTemplate.objects.get(name="Länk till gruppbesök via Teams").channel == "portal"
    physician = User.objects.get(username="lakare")
    today = VideoVisit.objects.on(timezone.localdate()).involving(physician)
    assert today.count() == 3
    # Each visit can be joined from the demo: its link went out by SMS to the patient,
    # or to the child's agent (P5).
    invited = {(p.visit.patient.personnummer, p.kind, p.personnummer)
               for p in Participant.objects.filter(visit__in=today)}
    lo = Patient.objects.get(personnummer="201706159835")
    lo_visit = today.get(patient=lo)
    assert lo_visit.agent == lo_visit.primary_contact == lo.guardians.order_by(
        "personnummer").first()
    assert invited == {("198503129820", "patient", "198503129820"),
                       ("197905279894", "patient", "197905279894"),
                       ("201706159835", "agent", lo_visit.agent.personnummer)}
    assert OutboxMessage.objects.filter(visit__in=today, channel="sms").count() == 3
    guardians = Patient.objects.get(personnummer="201706159835").guardians.all()
    # Either can be agent at the demo unit.
    assert len(guardians) == 2 and all(g.contact_at(lo_visit.care_unit).mobile
                                       for g in guardians)
    schedule = ScheduleBlock.objects.filter(clinician__username__in=["lakare", "psykolog"])
    assert schedule.filter(day__gt=timezone.localdate()).values("day").distinct().count() >= 5
    assert {b.activity.name for b in schedule} == {"Videobesök"}
    tolk = InterpreterAgency.objects.get()
    assert (tolk.first_name, tolk.last_name, tolk.email) == ("Tolk", "digital",
                                                             "videolank@digitaltolk.se")


def test_running_it_twice_changes_nothing(debug_on):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = snapshot()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert snapshot() == first


def test_the_printed_demo_logins_work(debug_on, capsys):
    call_command("seed_demo")
    printed = capsys.readouterr().out
    assert DEMO_PASSWORD in printed
    for username in ["lakare", "psykolog", "bokning", "admin"]:
        assert username in printed
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.get(username="lakare").is_staff


def test_it_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()


@pytest.mark.parametrize("now, first", [
    ("09:10", "09:30"), ("09:40", "10:00"), ("22:50", "21:00"), ("23:55", "21:00")])
def test_the_demo_visits_start_at_the_next_half_hour_and_end_before_midnight(now, first):
    day = datetime.date(2026, 11, 26)
    at = datetime.datetime.combine(day, datetime.time.fromisoformat(now),
                                   tzinfo=timezone.get_current_timezone())
    assert demo_day_start(at) == at.replace(hour=int(first[:2]), minute=int(first[3:]))
