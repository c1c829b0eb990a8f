"""B6 in the database: no overlapping active bookings per clinician, and no
overlapping video visits per patient.

Exclusion constraints exist only on PostgreSQL; on the SQLite demo database
the booking service's own check under SQLite's single writer keeps the rule.
The video visit's constraint lives here, not in visits, because the rule
belongs to booking; visits' model state is left as it is.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.db import migrations
from django.db.models import Func, Q

BOOKING_OVERLAP = "bookings_booking_no_overlap_per_clinician"
VISIT_OVERLAP = "visits_videovisit_no_overlap_per_patient"


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def constraints():
    period = (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS)
    return [
        ("bookings", "Booking", ExclusionConstraint(
            name=BOOKING_OVERLAP, expressions=[period, ("clinician", RangeOperators.EQUAL)],
            condition=Q(cancelled_at__isnull=True))),
        ("visits", "VideoVisit", ExclusionConstraint(
            name=VISIT_OVERLAP, expressions=[period, ("patient", RangeOperators.EQUAL)],
            condition=~Q(state="cancelled"))),
    ]


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for app, model, constraint in constraints():
        schema_editor.add_constraint(apps.get_model(app, model), constraint)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for app, model, constraint in constraints():
        schema_editor.remove_constraint(apps.get_model(app, model), constraint)


class Migration(migrations.Migration):

    dependencies = [
        ("bookings", "0002_schedule_and_booking"),
        ("visits", "0001_initial"),
    ]

    operations = [migrations.RunPython(add, remove)]
