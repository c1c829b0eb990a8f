"""Start page (V1): server time with 40 visits of the clinician's day in a database of
one care unit with 2,000 visits that day and 1,000,000 on other days.

Figures: median server time through daphne; its ratio to the same page on a database
holding only the clinician's 40 visits; its ratio to a minimal authenticated page on
the same server; the page's query count for both databases.
Run: make bench (PostgreSQL from DATABASE_URL; a scratch database is created).
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (  # noqa: E402
    daphne,
    median_ms,
    progress,
    recreate_database,
    report,
    scratch_database_url,
    setup_django,
)

# Run from anywhere: the build step re-runs this file in a subprocess.

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))
OTHER_DAYS = int(os.environ.get("BENCH_OTHER_DAYS_VISITS", "1000000"))
UNIT_TODAY = 2000
MINE = 40


def build_small() -> dict:
    """One unit, the clinician and their 40 visits today."""
    import datetime

    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from accounts.models import CareUnit, User
    from patients.models import Patient
    from visits.models import VideoVisit

    unit = CareUnit.objects.create(name="Bench", hsa_id="SE2321000222-BNCH")
    user = User.objects.create_user("bench", password="bench-password-123")
    user.care_units.add(unit)
    patients = Patient.objects.bulk_create([
        Patient(personnummer=f"19{n:010d}", first_name="P", last_name=str(n),
                registry_checked_at=timezone.now(), created_by=user) for n in range(MINE)])
    day = timezone.localdate()
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time(7, 0), tzinfo=tz)
    VideoVisit.objects.bulk_create([
        VideoVisit(care_unit=unit, patient=p, owner=user,
                   starts_at=start + datetime.timedelta(minutes=15 * i),
                   ends_at=start + datetime.timedelta(minutes=15 * i + 15))
        for i, p in enumerate(patients)])
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return {"user": user, "unit": unit, "session": session.session_key}


# Arrays of the other clinicians' and the other patients' ids to spread visits over.
POOLS = """
    WITH others AS (SELECT array_agg(id) ids FROM accounts_user WHERE username LIKE 'other%%'),
         pats AS (SELECT array_agg(id) ids FROM patients_patient
                  WHERE personnummer LIKE '20%%')"""


def grow(unit_id: int, user_id: int) -> None:
    """2,000 more visits of the unit today and OTHER_DAYS visits on other days, in SQL.

    A patient's visits must not overlap (the exclusion constraint of B6): visit n is
    patient n % 20000's (n / 20000)th, whose day is set by (n / 20000) % 7 (20,000
    is 400 mod 1,400) and whose quarter of an hour by (n / 20000) / 7, so no two meet.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name,
                email, is_staff, is_active, date_joined, hsa_id, title, role)
            SELECT '!', false, 'other' || n, '', '', '', false, true, now(), '', '', 'clinician'
            FROM generate_series(1, 50) n""")
        cursor.execute("""
            INSERT INTO patients_patient (personnummer, first_name, last_name,
                protected_identity, street, postal_code, city, has_eid,
                registry_checked_at, created_at, created_by_id)
            SELECT '20' || lpad(n::text, 10, '0'), 'P', n::text, false, '', '', '', true,
                now(), now(), %s
            FROM generate_series(1, 20000) n""", [user_id])
        cursor.execute(POOLS + """
            INSERT INTO visits_videovisit (care_unit_id, patient_id, owner_id, starts_at, ends_at,
                reason, state, notes, created_at)
            SELECT %s, pats.ids[1 + n %% 20000], others.ids[1 + n %% 50],
                date_trunc('day', now()) + interval '7 hours' + (n %% 600) * interval '1 minute',
                date_trunc('day', now()) + interval '7 hours 15 minutes'
                    + (n %% 600) * interval '1 minute',
                '', 'scheduled', '', now()
            FROM generate_series(1, %s) n, others, pats""", [unit_id, UNIT_TODAY])
        cursor.execute(POOLS + """
            INSERT INTO visits_videovisit (care_unit_id, patient_id, owner_id, starts_at, ends_at,
                reason, state, notes, created_at)
            SELECT %s, pats.ids[1 + n %% 20000],
                CASE WHEN n %% 100 = 0 THEN %s ELSE others.ids[1 + n %% 50] END,
                now() + ((n %% 1400) - 700 + CASE WHEN n %% 1400 = 700 THEN 1 ELSE 0 END)
                    * interval '1 day' + (n / 20000 / 7) * interval '15 minutes',
                now() + ((n %% 1400) - 700 + CASE WHEN n %% 1400 = 700 THEN 1 ELSE 0 END)
                    * interval '1 day' + (n / 20000 / 7 + 1) * interval '15 minutes',
                '', 'finished', '', now()
            FROM generate_series(1, %s) n, others, pats""", [unit_id, user_id, OTHER_DAYS])
        cursor.execute("ANALYZE")


PAGES = {"start": "/", "minimal": "/patienter/sok/"}


def time_pages(servers: dict[str, tuple[str, str]]) -> dict[tuple[str, str], float]:
    """Median time of each page on each server, requests interleaved round by round so
    that whatever else the machine does weighs on every figure alike."""
    conns = {name: (http.client.HTTPConnection(url.removeprefix("http://"), timeout=30),
                    {"Cookie": f"sessionid={session}"})
             for name, (url, session) in servers.items()}
    samples: dict[tuple[str, str], list[float]] = {}
    for round_ in range(20 + REQUESTS):  # the first 20 rounds warm up
        for name, (conn, headers) in conns.items():
            for page, path in PAGES.items():
                began = time.perf_counter()
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                elapsed = time.perf_counter() - began
                assert response.status == 200, (name, path, response.status)
                if page == "start" and round_ == 0:
                    assert body.count(b'class="visits__time"') == MINE, "must list 40 visits"
                if round_ >= 20:
                    samples.setdefault((name, page), []).append(elapsed)
    for conn, _headers in conns.values():
        conn.close()
    return {key: median_ms(values) for key, values in samples.items()}


def query_count(user) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def build(url: str, large: bool) -> None:
    """In a process of its own (Django binds to one database): build and report as JSON."""
    recreate_database(url)
    setup_django(url)
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    call_command("migrate", verbosity=0)
    setup_test_environment()
    data = build_small()
    if large:
        grow(data["unit"].pk, data["user"].pk)
    print(json.dumps({"session": data["session"], "queries": query_count(data["user"])}))


def main() -> None:
    urls = {"small": scratch_database_url("small"), "large": scratch_database_url("large")}
    built = {}
    for name, url in urls.items():
        progress(f"start page: building the {name} database")
        done = subprocess.run([sys.executable, __file__, "build", name, url],
                              capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"start page: building the {name} database failed:\n{done.stderr[-4000:]}")
        built[name] = json.loads(done.stdout.strip().splitlines()[-1])
    progress("start page: timing")
    with daphne(urls["small"]) as small_url, daphne(urls["large"]) as large_url:
        times = time_pages({"small": (small_url, built["small"]["session"]),
                            "large": (large_url, built["large"]["session"])})
    large, small = times[("large", "start")], times[("small", "start")]
    minimal = times[("large", "minimal")]
    vs_small, vs_minimal = large / small, large / minimal
    queries = (built["small"]["queries"], built["large"]["queries"])
    report(f"Start page: {REQUESTS} interleaved requests each, median; large database "
                f"{MINE} + {UNIT_TODAY:,} visits today + {OTHER_DAYS:,} on other days", [
        ("start page, large database", f"{large:.2f} ms", ""),
        ("start page, only the 40 visits", f"{small:.2f} ms", ""),
        ("minimal authenticated page", f"{minimal:.2f} ms", ""),
        ("large / small database", f"{vs_small:.2f}x",
         "<= 1.2x " + ("ok" if vs_small <= 1.2 else "MISSED")),
        ("start page / minimal page", f"{vs_minimal:.2f}x",
         "<= 3x " + ("ok" if vs_minimal <= 3 else "MISSED")),
        ("queries, small / large database", f"{queries[0]} / {queries[1]}",
         "equal " + ("ok" if queries[0] == queries[1] else "MISSED")),
    ])


if __name__ == "__main__":
    if sys.argv[1:2] == ["build"]:
        build(sys.argv[3], large=sys.argv[2] == "large")
    else:
        main()
