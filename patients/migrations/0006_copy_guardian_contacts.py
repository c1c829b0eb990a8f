"""Each care unit of a guardian's child gets its own copy of the contact details the
guardian had, before they leave the guardian row (0007): from now on a unit changes
only its own, and its visits' agent links go there.
"""

from django.db import migrations


def copy_to_units(apps, schema_editor) -> None:
    """One GuardianContact per (guardian, care unit of the child) with the guardian's
    mobile and e-mail. A guardian with neither gets none: no record reads as empty.
    A unit that already has a record (migrated back and forth) keeps it.
    """
    Patient = apps.get_model("patients", "Patient")
    GuardianContact = apps.get_model("patients", "GuardianContact")
    Guardian = apps.get_model("patients", "Guardian")
    memberships = Patient.care_units.through.objects
    batch = []
    guardians = (Guardian.objects.exclude(mobile="", email="")
                 .values_list("pk", "child_id", "mobile", "email").order_by("pk"))
    for guardian_id, child_id, mobile, email in guardians.iterator(chunk_size=2000):
        for unit_id in (memberships.filter(patient_id=child_id)
                        .values_list("careunit_id", flat=True).order_by("careunit_id")):
            batch.append(GuardianContact(guardian_id=guardian_id, care_unit_id=unit_id,
                                         mobile=mobile, email=email))
        if len(batch) >= 2000:
            GuardianContact.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    GuardianContact.objects.bulk_create(batch, ignore_conflicts=True)


def copy_back(apps, schema_editor) -> None:
    """Back to one set of details per guardian: those of the child's first unit."""
    Guardian = apps.get_model("patients", "Guardian")
    GuardianContact = apps.get_model("patients", "GuardianContact")
    done = set()
    for contact in GuardianContact.objects.order_by("guardian_id", "care_unit_id").iterator():
        if contact.guardian_id in done:
            continue
        done.add(contact.guardian_id)
        Guardian.objects.filter(pk=contact.guardian_id).update(mobile=contact.mobile,
                                                               email=contact.email)


class Migration(migrations.Migration):

    dependencies = [
        ("patients", "0005_guardiancontact"),
    ]

    operations = [
        migrations.RunPython(copy_to_units, copy_back),
    ]
