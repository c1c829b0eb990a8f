"""Booking (B6): bookings per second through booking_create on PostgreSQL, whose
exclusion constraint refuses overlapping bookings of a clinician.

1 and 8 concurrent clients, each a process with its own database connection, book
the same rows: BENCH_BOOKINGS free slots spread over 40 clinicians, and for every
tenth slot one deliberately overlapping attempt, handed to another client at about
the same moment so that the two race. The baseline is the floor the database sets:
the same rows as plain INSERTs through psycopg by as many clients in the same run,
each row its own transaction as a booking is (psycopg's default: BEGIN, INSERT,
COMMIT); and, lower still, in autocommit (the INSERT alone, its own transaction
implicitly). The bookings are in-person ones (not DiVL), so that the service writes
exactly the row the baseline writes and nothing more.

Figures: the median over BENCH_BOOKING_RUNS runs of bookings per second, for the
service and for both kinds of plain INSERT at each client count; the median of each
run's ratio of the service to them (the three follow one another in a run); the
attempts refused as taken; and a query afterwards that finds no two active bookings
of one clinician that overlap.
Run: make bench, or alone `python bench/booking.py` with DATABASE_URL and REDIS_URL set.
"""

from __future__ import annotations

import datetime
import functools
import multiprocessing
import os
import queue
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (  # noqa: E402
    progress,
    recreate_database,
    report,
    scratch_database_url,
    setup_django,
    verdict,
)

SLOTS = int(os.environ.get("BENCH_BOOKINGS", "1600"))
RUNS = int(os.environ.get("BENCH_BOOKING_RUNS", "5"))
CLIENTS = (1, 8)
CLINICIANS = 40
CONFLICT_EVERY = 10
SLOT = datetime.timedelta(minutes=30)


@dataclass(frozen=True)
class Attempt:
    clinician_id: int
    patient_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime


@dataclass(frozen=True)
class Outcome:
    began: float
    ended: float
    booked: int
    refused: int


def build() -> dict:
    """A care unit, its scheduler, 40 clinicians and their patients; nothing booked."""
    from django.utils import timezone

    from accounts.models import CareUnit, User
    from bookings.models import ContactType, ScheduleActivity
    from patients.models import Patient

    unit = CareUnit.objects.create(name="Bench", hsa_id="SE2321000222-BNCH")
    scheduler = User.objects.create_user("scheduler", password=None)
    scheduler.care_units.add(unit)
    clinicians = User.objects.bulk_create([
        User(username=f"clinician{n}", password="!", role="clinician")
        for n in range(CLINICIANS)])
    patients = Patient.objects.bulk_create([
        Patient(personnummer=f"19{n:010d}", first_name="P", last_name=str(n),
                registry_checked_at=timezone.now(), created_by=scheduler)
        for n in range(CLINICIANS)])
    return {
        "unit": unit, "scheduler": scheduler,
        "clinicians": {c.pk: c for c in clinicians},
        "patients": {p.pk: p for p in patients},
        "contact_type": ContactType.objects.create(code="BESOK", name="Besök", is_video=False),
        "activity": ScheduleActivity.objects.create(name="Mottagning"),
    }


def attempts_per_client(world: dict, clients: int) -> list[list[Attempt]]:
    """The slots dealt round-robin to the clients; each conflicting attempt goes to the
    next client right after its own attempt of the same round, so the two race."""
    from django.utils import timezone

    clinicians, patients = list(world["clinicians"]), list(world["patients"])
    day = timezone.localdate() + datetime.timedelta(days=30)
    first = datetime.datetime.combine(day, datetime.time(7, 0),
                                      tzinfo=timezone.get_current_timezone())
    dealt: list[list[tuple[Attempt, Attempt | None]]] = [[] for _ in range(clients)]
    for n in range(SLOTS):
        who = n % CLINICIANS
        # An hour apart, so a conflict shifted by a quarter overlaps its own slot only.
        start = first + datetime.timedelta(hours=n // CLINICIANS)
        slot = Attempt(clinicians[who], patients[who], start, start + SLOT)
        quarter = datetime.timedelta(minutes=15)
        conflict = (Attempt(slot.clinician_id, slot.patient_id, start + quarter,
                            start + SLOT + quarter) if n % CONFLICT_EVERY == 0 else None)
        dealt[n % clients].append((slot, conflict))
    result: list[list[Attempt]] = []
    for client in range(clients):
        previous = dealt[(client - 1) % clients]
        mine: list[Attempt] = []
        for position, (slot, _conflict) in enumerate(dealt[client]):
            mine.append(slot)
            if position < len(previous) and previous[position][1] is not None:
                mine.append(previous[position][1])
        result.append(mine)
    return result


def book_through_service(world: dict, attempts: list[Attempt]) -> tuple[int, int]:
    from django.core.exceptions import ValidationError

    from bookings.models import Booking
    from bookings.services import booking_create, slot_taken_message

    booked = refused = 0
    for attempt in attempts:
        try:
            booking_create(
                kind=Booking.Kind.SINGLE, care_unit=world["unit"],
                owner=world["clinicians"][attempt.clinician_id],
                patient=world["patients"][attempt.patient_id],
                starts_at=attempt.starts_at, ends_at=attempt.ends_at,
                contact_type=world["contact_type"], schedule_activity=world["activity"],
                created_by=world["scheduler"])
            booked += 1
        except ValidationError as error:
            if not any(slot_taken_message() in m for m in error.messages):
                raise
            refused += 1
    return booked, refused


INSERT = """
    INSERT INTO bookings_booking (care_unit_id, kind, clinician_id, patient_id,
        contact_type_id, schedule_activity_id, visa_webb, kallelse_delivery, starts_at,
        ends_at, meeting_url, created_by_id, created_at)
    VALUES (%s, 'single', %s, %s, %s, %s, true, '', %s, %s, '', %s, now())"""


def insert_plainly(world: dict, attempts: list[Attempt], *,
                   autocommit: bool) -> tuple[int, int]:
    import psycopg

    booked = refused = 0
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=autocommit) as conn:
        for a in attempts:
            while True:
                try:
                    conn.execute(INSERT, (world["unit"].pk, a.clinician_id, a.patient_id,
                                          world["contact_type"].pk, world["activity"].pk,
                                          a.starts_at, a.ends_at, world["scheduler"].pk))
                    conn.commit()
                    booked += 1
                except psycopg.errors.ExclusionViolation:
                    conn.rollback()
                    refused += 1
                except psycopg.errors.DeadlockDetected:
                    # Two racing rows each wait for the other's check of the exclusion
                    # constraint; PostgreSQL aborts one, and it is tried again. (The
                    # service locks the clinician's row first, so it never meets this.)
                    conn.rollback()
                    continue
                break
    return booked, refused


METHODS = {
    "service": book_through_service,
    "insert": functools.partial(insert_plainly, autocommit=False),
    "autocommit": functools.partial(insert_plainly, autocommit=True),
}


def client(method: str, world: dict, attempts: list[Attempt], start, results) -> None:
    """One client in a forked process: wait for the others, then book its attempts."""
    start.wait()
    began = time.perf_counter()
    booked, refused = METHODS[method](world, attempts)
    results.put(Outcome(began, time.perf_counter(), booked, refused))


def run_once(method: str, world: dict, dealt: list[list[Attempt]]) -> Outcome:
    from django.db import connection, connections

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE bookings_booking CASCADE")
        cursor.execute("VACUUM ANALYZE bookings_booking")
    # A forked child must open its own connection, never share the parent's socket.
    connections.close_all()
    fork = multiprocessing.get_context("fork")
    start, results = fork.Barrier(len(dealt)), fork.Queue()
    workers = [fork.Process(target=client, args=(method, world, attempts, start, results))
               for attempts in dealt]
    for worker in workers:
        worker.start()
    outcomes = []
    while len(outcomes) < len(workers):
        try:
            outcomes.append(results.get(timeout=1))
        except queue.Empty:
            # A client that died never reports: stop, not wait for it.
            if any(w.exitcode not in (None, 0) for w in workers):
                for worker in workers:
                    worker.kill()
                raise RuntimeError(f"a {method} client failed") from None
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise RuntimeError(f"a {method} client failed")
    # Rates are per wall-clock second of the whole run: first start to last finish.
    return Outcome(min(o.began for o in outcomes), max(o.ended for o in outcomes),
                   sum(o.booked for o in outcomes), sum(o.refused for o in outcomes))


OVERLAPS = """
    SELECT count(*) FROM bookings_booking a JOIN bookings_booking b
      ON a.clinician_id = b.clinician_id AND a.id < b.id
     AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
     WHERE a.cancelled_at IS NULL AND b.cancelled_at IS NULL"""


def overlapping_pairs() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(OVERLAPS)
        return cursor.fetchone()[0]


def main() -> None:
    url = scratch_database_url("booking")
    recreate_database(url)
    # As in production: with DEBUG on, Django would also record every query it runs.
    os.environ["DJANGO_DEBUG"] = "false"
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    world = build()
    conflicts = len(range(0, SLOTS, CONFLICT_EVERY))
    rates: dict[tuple[str, int], list[float]] = {}
    refused: dict[tuple[str, int], set[int]] = {}
    overlaps = 0
    # The first round warms caches and is not counted; methods alternate so that
    # whatever else the machine does weighs on both alike.
    for round_ in range(RUNS + 1):
        for clients in CLIENTS:
            dealt = attempts_per_client(world, clients)
            for method in METHODS:
                outcome = run_once(method, world, dealt)
                if outcome.booked != SLOTS or outcome.refused != conflicts:
                    raise RuntimeError(f"{method} with {clients} clients booked "
                                       f"{outcome.booked} of {SLOTS} and refused "
                                       f"{outcome.refused} of {conflicts} conflicts")
                overlaps += overlapping_pairs()
                if round_:
                    rates.setdefault((method, clients), []).append(
                        outcome.booked / (outcome.ended - outcome.began))
                    refused.setdefault((method, clients), set()).add(outcome.refused)
                progress(f"booking: round {round_}, {clients} client(s), {method}: "
                         f"{outcome.booked / (outcome.ended - outcome.began):.0f}/s")
    median = {key: statistics.median(values) for key, values in rates.items()}

    def ratio(method: str, baseline: str, clients: int) -> float:
        """The median of each round's ratio: a round's runs follow one another, so a
        slower minute on the machine weighs on both sides of its ratio alike."""
        return statistics.median(s / b for s, b in zip(rates[(method, clients)],
                                                       rates[(baseline, clients)], strict=True))

    rows = []
    for clients in CLIENTS:
        in_transaction = ratio("service", "insert", clients)
        rows += [
            (f"service, {clients} client(s)", f"{median[('service', clients)]:.0f}/s", ""),
            (f"plain INSERT, a transaction each, {clients} client(s)",
             f"{median[('insert', clients)]:.0f}/s", ""),
            (f"plain INSERT, autocommit, {clients} client(s)",
             f"{median[('autocommit', clients)]:.0f}/s", ""),
            (f"service / INSERT in a transaction, {clients} client(s)",
             f"{in_transaction:.2f}x", verdict(in_transaction >= 1 / 3, ">= 0.33x")),
            (f"service / INSERT in autocommit, {clients} client(s)",
             f"{ratio('service', 'autocommit', clients):.2f}x", ""),
        ]
    rows += [
        ("conflicting attempts refused, each run", f"{conflicts} of {conflicts}",
         verdict(all(r == {conflicts} for r in refused.values()), "all")),
        ("overlapping active bookings, all runs", str(overlaps), verdict(overlaps == 0, "0")),
    ]
    report(f"Booking: {SLOTS} slots over {CLINICIANS} clinicians + {conflicts} conflicting "
           f"attempts, median of {RUNS} runs", rows)


if __name__ == "__main__":
    main()
