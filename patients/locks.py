"""The row locks of every service that creates or moves visits and bookings (B6).

Two services racing for the same people must take turns, so that the later one
sees what the earlier one wrote and gets the clear "taken" refusal. They lock in
one order everywhere, so that they never wait for each other in a circle:

    1. the staff users (clinicians, Sjukvårdspersonal), by id
    2. the patients (the patient, a group's patients), by id
    3. the booking (a team's owner booking stands for its Medverkan bookings)
    4. the video visit
    5. its participants

A service may skip a step, never go back to an earlier one.

The locks are FOR NO KEY UPDATE: they conflict with each other, but not with the
FOR KEY SHARE that PostgreSQL takes on a referenced row when a row pointing to it
is inserted. So writing an access-log row, a visit or an outbox message that
refers to a locked user or patient never waits for the lock. With FOR UPDATE it
did, in whatever order its foreign keys were checked, and concurrent "Nytt besök"
deadlocked (tests/e2e/test_concurrency.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from accounts.models import User
from patients.models import Patient


def lock_people(*, users: Iterable[User] = (), patients: Iterable[Patient] = ()) -> None:
    """Steps 1 and 2: lock the users' rows, then the patients', each by id."""
    user_ids = sorted({user.pk for user in users})
    patient_ids = sorted({patient.pk for patient in patients})
    if user_ids:
        list(User.objects.select_for_update(no_key=True).filter(pk__in=user_ids)
             .order_by("pk").values_list("pk", flat=True))
    if patient_ids:
        list(Patient.objects.select_for_update(no_key=True).filter(pk__in=patient_ids)
             .order_by("pk").values_list("pk", flat=True))
