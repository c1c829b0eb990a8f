"""The access log: every look at patient data is a row, and rows are never changed (S1)."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry
from integrations.models import OutboxMessage
from patients.models import Patient
from tests.patients.factories import PatientFactory
from tests.visits.factories import VideoVisitFactory
from visits.access import get_visit_for_socket
from visits.models import VideoVisit

pytestmark = pytest.mark.django_db
Action, Outcome = AccessLogEntry.Action, AccessLogEntry.Outcome
ADULT = "198503129820"
ROOT = Path(__file__).resolve().parents[2]


def only_row() -> AccessLogEntry:
    rows = list(AccessLogEntry.objects.all())
    assert len(rows) == 1, rows
    return rows[0]


def test_opening_a_patient_logs_who_which_patient_what_where_and_from_where(
        client, alice, care_unit):  # S1
    patient = PatientFactory(care_units=[care_unit])
    assert client.get(reverse("patients:detail", args=[patient.pk]),
                      REMOTE_ADDR="10.1.2.3").status_code == 200
    row = only_row()
    assert (row.user, row.patient, row.action, row.outcome) == (
        alice, patient, Action.VIEW, Outcome.ALLOWED)
    assert row.care_unit == care_unit
    assert row.personnummer == patient.personnummer
    assert row.client_address == "10.1.2.3"
    assert (row.object_type, row.object_id) == ("patients.patient", str(patient.pk))
    assert row.timestamp is not None


def test_changing_contact_details_is_logged_as_a_change(client, alice, care_unit):  # S1
    patient = PatientFactory(care_units=[care_unit])
    client.post(reverse("patients:update-contact", args=[patient.pk]),
                {"mobile": "0701740607", "email": ""})
    assert only_row().action == Action.UPDATE


def test_a_search_is_logged_found_or_not_with_the_number_searched(client, alice,
                                                                  care_unit):  # S1, P1
    client.post(reverse("patients:search"), {"personnummer": "19850312-9820"})
    missing = only_row()
    assert (missing.action, missing.outcome, missing.patient) == (
        Action.SEARCH, Outcome.NOT_FOUND, None)
    assert missing.personnummer == ADULT

    patient = PatientFactory(personnummer=ADULT, care_units=[care_unit])
    client.post(reverse("patients:search"), {"personnummer": "19850312-9820"})
    found = AccessLogEntry.objects.exclude(pk=missing.pk).get()
    assert (found.action, found.outcome, found.patient) == (
        Action.SEARCH, Outcome.ALLOWED, patient)


def test_an_invalid_number_is_not_a_search_of_anyone(client, alice):
    client.post(reverse("patients:search"), {"personnummer": "850312-9821"})
    assert not AccessLogEntry.objects.exists()


def test_skapa_patient_is_logged(client, alice, care_unit):  # S1, P3
    client.post(reverse("patients:create"), {"personnummer": ADULT, "mobile": "0701740605"})
    row = only_row()
    assert (row.action, row.patient.personnummer, row.care_unit) == (
        Action.CREATE, ADULT, care_unit)


def test_the_visit_page_is_logged_on_the_visits_patient(client, alice, care_unit):  # S1
    visit = VideoVisitFactory(owner=alice, care_unit=care_unit,
                              patient=PatientFactory(care_units=[care_unit]))
    client.get(reverse("visits:detail", args=[visit.pk]))
    row = only_row()
    assert (row.patient, row.care_unit, row.action) == (visit.patient, care_unit, Action.VIEW)
    assert (row.object_type, row.object_id) == ("visits.videovisit", str(visit.pk))


def test_a_protected_identity_is_marked_on_the_row(client, alice, care_unit):  # S1, P8
    patient = PatientFactory(protected_identity=True, care_units=[care_unit])
    client.get(reverse("patients:detail", args=[patient.pk]))
    assert only_row().protected_identity


def test_the_outsider_gets_403_and_a_denied_row(client, outsider, care_unit):  # S1, S2
    patient = PatientFactory(care_units=[care_unit])
    client.force_login(outsider)
    response = client.get(reverse("patients:detail", args=[patient.pk]))
    assert response.status_code == 403
    assert "Ingen behörighet" in response.content.decode()
    row = only_row()
    assert (row.user, row.patient, row.outcome) == (outsider, patient, Outcome.DENIED)


def test_a_visit_refused_to_the_outsider_is_logged_denied(client, outsider, clinician,
                                                          care_unit):  # S1, S2
    visit = VideoVisitFactory(owner=clinician, care_unit=care_unit)
    client.force_login(outsider)
    assert client.post(reverse("visits:notes", args=[visit.pk]), {"notes": "x"}
                       ).status_code == 403
    row = only_row()
    assert (row.user, row.patient, row.action, row.outcome) == (
        outsider, visit.patient, Action.UPDATE, Outcome.DENIED)


def test_no_such_patient_is_404_and_nothing_is_logged(client, alice):
    assert client.get(reverse("patients:detail", args=[999_999])).status_code == 404
    assert client.get(reverse("visits:detail", args=[999_999])).status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_behind_the_proxy_the_address_it_appended_is_logged(client, alice, care_unit,
                                                            settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    patient = PatientFactory(care_units=[care_unit])
    client.get(reverse("patients:detail", args=[patient.pk]), REMOTE_ADDR="10.0.0.1",
               HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.44", HTTP_X_FORWARDED_PROTO="https")
    assert only_row().client_address == "192.0.2.44"


def refused(statement) -> str:
    with pytest.raises(DatabaseError) as raised, transaction.atomic():
        statement()
    return str(raised.value)


def test_rows_cannot_be_updated_or_deleted_in_the_database(client, alice, care_unit):  # S1
    patient = PatientFactory(care_units=[care_unit])
    client.get(reverse("patients:detail", args=[patient.pk]))
    row = only_row()
    assert "append-only: UPDATE" in refused(
        lambda: AccessLogEntry.objects.filter(pk=row.pk).update(action=Action.SEARCH))
    assert "append-only: DELETE" in refused(lambda: AccessLogEntry.objects.all().delete())

    def raw_sql():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_accesslogentry")

    assert "append-only" in refused(raw_sql)
    row.outcome = Outcome.DENIED
    assert "append-only: UPDATE" in refused(row.save)
    assert AccessLogEntry.objects.get().outcome == Outcome.ALLOWED


def test_a_visit_socket_is_logged_and_refused_to_the_outsider(outsider, clinician,
                                                              care_unit):  # S1, S2
    visit = VideoVisitFactory(owner=clinician, care_unit=care_unit)
    with pytest.raises(PermissionDenied):
        get_visit_for_socket({"user": outsider, "client": ["192.0.2.5", 50000],
                              "headers": []}, visit.pk)
    denied = only_row()
    assert (denied.user, denied.patient, denied.outcome, denied.client_address) == (
        outsider, visit.patient, Outcome.DENIED, "192.0.2.5")

    assert get_visit_for_socket({"user": clinician, "client": ["192.0.2.6", 50000]},
                                visit.pk) == visit
    allowed = AccessLogEntry.objects.get(user=clinician)
    assert (allowed.outcome, allowed.care_unit) == (Outcome.ALLOWED, care_unit)

    with pytest.raises(PermissionDenied):
        get_visit_for_socket({"user": AnonymousUser()}, visit.pk)
    assert AccessLogEntry.objects.count() == 2


def test_a_visit_created_in_the_console_is_logged_on_its_patient(client, alice,
                                                                 care_unit):  # S1, V4
    patient = PatientFactory(personnummer=ADULT, care_units=[care_unit])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(reverse("visits:new"), {
        "personnummer": "19850312-9820", "day": tomorrow.isoformat(), "start": "13:30",
        "minutes": "30", "reason": "Uppföljning"})
    assert response.status_code == 302
    created = AccessLogEntry.objects.get(action=Action.CREATE)
    visit = VideoVisit.objects.get()
    assert (created.patient, created.care_unit) == (patient, care_unit)
    assert (created.object_type, created.object_id) == ("visits.videovisit", str(visit.pk))
    assert AccessLogEntry.objects.filter(action=Action.SEARCH, patient=patient).exists()


@pytest.fixture
def log_write_fails(monkeypatch):
    """The access log refuses the next "create" row, as a full disk or a revoked
    grant would."""
    import audit.services

    write = audit.services.access_log_write

    def failing(**kwargs):
        if kwargs.get("action") == Action.CREATE:
            raise DatabaseError("the access log cannot be written")
        return write(**kwargs)

    monkeypatch.setattr(audit.services, "access_log_write", failing)
    monkeypatch.setattr("patients.access.access_log_write", failing)


def test_a_visit_whose_create_row_cannot_be_written_is_not_created(
        client, alice, care_unit, log_write_fails):  # S1, V4
    PatientFactory(personnummer=ADULT, care_units=[care_unit])
    client.raise_request_exception = False
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(reverse("visits:new"), {
        "personnummer": "19850312-9820", "day": tomorrow.isoformat(), "start": "13:30",
        "minutes": "30", "reason": "Uppföljning"})
    assert response.status_code == 500
    assert not VideoVisit.objects.exists()
    assert not OutboxMessage.objects.exists()  # and no invitation went out (N1)


def test_a_patient_whose_create_row_cannot_be_written_is_not_registered(
        client, alice, log_write_fails):  # S1, P3
    client.raise_request_exception = False
    response = client.post(reverse("patients:create"), {
        "personnummer": "19850312-9820", "mobile": "070-174 06 05", "email": ""})
    assert response.status_code == 500
    assert not Patient.objects.exists()


SQLITE_LOG_CHECK = """
import django
django.setup()
from django.core.management import call_command
from django.db import DatabaseError, connection
from accounts.models import User
from audit.models import AccessLogEntry
call_command("migrate", verbosity=0)
AccessLogEntry.objects.create(user=User.objects.create(username="alice"), action="search")
with connection.cursor() as cursor:
    for statement in ("UPDATE audit_accesslogentry SET action = 'view'",
                      "DELETE FROM audit_accesslogentry"):
        try:
            cursor.execute(statement)
        except DatabaseError as error:
            print(error)
"""


def test_the_sqlite_demo_log_stays_append_only_after_every_migration(tmp_path):  # S1
    # SQLite adds a column by rebuilding the table, which drops its triggers.
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "videovisit.settings", "DJANGO_DEBUG": "true"}
    result = subprocess.run([sys.executable, "-c", SQLITE_LOG_CHECK], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "the access log is append-only: UPDATE of audit_accesslogentry is not allowed",
        "the access log is append-only: DELETE of audit_accesslogentry is not allowed"]


def test_a_clinician_of_another_unit_taking_part_is_logged_with_the_patients_units(
        client, clinician, outsider, care_unit):  # S1, S2
    patient = PatientFactory(care_units=[care_unit])
    visit = VideoVisitFactory(owner=clinician, care_unit=care_unit, patient=patient)
    visit.staff.add(outsider)
    client.force_login(outsider)
    assert client.get(reverse("visits:detail", args=[visit.pk])).status_code == 200
    row = only_row()
    assert (row.user, row.patient, row.also_known_at) == (outsider, patient, care_unit.hsa_id)
    client.force_login(clinician)  # the unit's own clinician: nothing of another unit
    client.get(reverse("visits:detail", args=[visit.pk]))
    assert AccessLogEntry.objects.filter(user=clinician).get().also_known_at == ""
