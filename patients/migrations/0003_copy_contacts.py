"""Each care unit of a patient gets its own copy of the contact details the patient
had, before they leave the patient row (0004): from now on a unit changes only its own.
"""

from django.db import migrations


def copy_to_units(apps, schema_editor) -> None:
    """One PatientContact per (patient, care unit) with the patient's mobile and e-mail.

    A patient with neither gets none: no record reads as empty. A patient of no unit
    has no one to keep them for; no staff member can reach such a patient anyway.
    A unit that already has a record (migrated back and forth) keeps it.
    """
    Patient = apps.get_model("patients", "Patient")
    PatientContact = apps.get_model("patients", "PatientContact")
    memberships = (Patient.care_units.through.objects
                   .exclude(patient__mobile="", patient__email="")
                   .values_list("patient_id", "careunit_id", "patient__mobile", "patient__email")
                   .order_by("patient_id", "careunit_id"))
    batch = []
    for patient_id, unit_id, mobile, email in memberships.iterator(chunk_size=2000):
        batch.append(PatientContact(patient_id=patient_id, care_unit_id=unit_id,
                                    mobile=mobile, email=email))
        if len(batch) == 2000:
            PatientContact.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    PatientContact.objects.bulk_create(batch, ignore_conflicts=True)


def copy_back(apps, schema_editor) -> None:
    """Back to one set of details per patient: those of the patient's first unit."""
    Patient = apps.get_model("patients", "Patient")
    PatientContact = apps.get_model("patients", "PatientContact")
    done = set()
    for contact in PatientContact.objects.order_by("patient_id", "care_unit_id").iterator():
        if contact.patient_id in done:
            continue
        done.add(contact.patient_id)
        Patient.objects.filter(pk=contact.patient_id).update(mobile=contact.mobile,
                                                             email=contact.email)


class Migration(migrations.Migration):

    dependencies = [
        ("patients", "0002_patientcontact"),
    ]

    operations = [
        migrations.RunPython(copy_to_units, copy_back),
    ]
