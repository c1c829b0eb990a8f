"""Migrations 0002–0004 and 0005–0007: the one set of contact details of a patient or a
guardian becomes each unit's own."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("patients", "0002_patientcontact")]
AFTER = [("patients", "0004_remove_patient_mobile_email")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def migrator():
    """Migrate the test database back and forth; always back to the latest."""
    yield migrate
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_each_unit_of_a_patient_gets_a_copy_of_the_contact_details(migrator):
    old = migrator(BEFORE)
    CareUnit = old.get_model("accounts", "CareUnit")
    User = old.get_model("accounts", "User")
    Patient = old.get_model("patients", "Patient")
    a = CareUnit.objects.create(name="A", hsa_id="SE2321000222-VC0A")
    b = CareUnit.objects.create(name="B", hsa_id="SE2321000222-VC0B")
    user = User.objects.create(username="alice")

    def patient(number, mobile, email, *units):
        made = Patient.objects.create(personnummer=number, first_name="P", last_name=number,
                                      mobile=mobile, email=email, created_by=user,
                                      registry_checked_at="2026-01-01T00:00Z")
        made.care_units.add(*units)
        return made.pk

    eva = patient("198503129820", "+46701740605", "eva@example.se", a, b)
    adam = patient("201108199876", "", "adam@example.se", b)
    lo = patient("201706159835", "", "", a)  # nothing to copy
    nobody = patient("197905279894", "+46701740607", "")  # no unit to keep it for

    new = migrator(AFTER)
    Contact = new.get_model("patients", "PatientContact")
    copied = {(c.patient_id, c.care_unit_id): (c.mobile, c.email)
              for c in Contact.objects.all()}
    assert copied == {
        (eva, a.pk): ("+46701740605", "eva@example.se"),
        (eva, b.pk): ("+46701740605", "eva@example.se"),
        (adam, b.pk): ("", "adam@example.se"),
    }
    assert not Contact.objects.filter(patient_id__in=[lo, nobody]).exists()
    assert "mobile" not in {f.name for f in new.get_model("patients", "Patient")._meta.fields}

    # Undone, the patient gets the details of the first unit back.
    Contact.objects.filter(patient_id=eva, care_unit_id=b.pk).update(mobile="+46701740699")
    old = migrator(BEFORE)
    assert old.get_model("patients", "Patient").objects.get(pk=eva).mobile == "+46701740605"


@pytest.mark.django_db(transaction=True)
def test_each_unit_of_a_child_gets_a_copy_of_the_guardians_contact_details(migrator):
    old = migrator([("patients", "0005_guardiancontact")])
    CareUnit = old.get_model("accounts", "CareUnit")
    User = old.get_model("accounts", "User")
    Patient = old.get_model("patients", "Patient")
    Guardian = old.get_model("patients", "Guardian")
    a = CareUnit.objects.create(name="A", hsa_id="SE2321000222-VC0A")
    b = CareUnit.objects.create(name="B", hsa_id="SE2321000222-VC0B")
    user = User.objects.create(username="alice")
    lo = Patient.objects.create(personnummer="201706159835", first_name="Lo", last_name="Berg",
                                created_by=user, registry_checked_at="2026-01-01T00:00Z")
    lo.care_units.add(a, b)

    def guardian(number, mobile, email):
        return Guardian.objects.create(child=lo, personnummer=number, first_name="G",
                                       last_name=number, mobile=mobile, email=email).pk

    karin = guardian("198409219840", "+46701740606", "karin@example.se")
    johan = guardian("198301309855", "", "")  # nothing to copy

    new = migrator([("patients", "0007_remove_guardian_mobile_email")])
    Contact = new.get_model("patients", "GuardianContact")
    copied = {(c.guardian_id, c.care_unit_id): (c.mobile, c.email)
              for c in Contact.objects.all()}
    assert copied == {(karin, a.pk): ("+46701740606", "karin@example.se"),
                      (karin, b.pk): ("+46701740606", "karin@example.se")}
    assert not Contact.objects.filter(guardian_id=johan).exists()
    assert "mobile" not in {f.name for f in new.get_model("patients", "Guardian")._meta.fields}

    # Undone, the guardian gets the details of the first unit back.
    Contact.objects.filter(guardian_id=karin, care_unit_id=b.pk).update(mobile="+46701740699")
    old = migrator([("patients", "0005_guardiancontact")])
    assert old.get_model("patients", "Guardian").objects.get(pk=karin).mobile == "+46701740606"
