"""Shared parts of the benchmarks: a scratch PostgreSQL database, a daphne server, a table."""

from __future__ import annotations

import contextlib
import datetime
import json
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# The server and this process must agree on it: sessions made here are signed with it.
BENCH_SECRET_KEY = "bench-only-secret-key-" + "x" * 40


def scratch_database_url(name: str) -> str:
    """DATABASE_URL's database name + "_bench_" + name: benchmarks never touch real data,
    and whoever chose DATABASE_URL's name also chose where the scratch databases go."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("The benchmarks run on PostgreSQL: set DATABASE_URL (make bench does).")
    parts = urlsplit(base)
    prefix = parts.path.lstrip("/") or "videovisit"
    return urlunsplit(parts._replace(path=f"/{prefix}_bench_{name}"))


def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url.startswith("redis"):
        sys.exit("The benchmarks run on Redis: set REDIS_URL (make bench does).")
    return url


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SECRET_KEY"] = BENCH_SECRET_KEY
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "videovisit.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def daphne(database_url: str):
    """The app under daphne on a free port, as compose runs it (a pool of connections)."""
    port = free_port()
    env = os.environ | {"DATABASE_URL": database_url, "DJANGO_DEBUG": "false",
                        "DJANGO_SECRET_KEY": BENCH_SECRET_KEY,
                        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                        "DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_SECURE_COOKIES": "false",
                        "DJANGO_HSTS_SECONDS": "0", "LOG_LEVEL": "WARNING",
                        "DATABASE_POOL_MAX_SIZE": "20"}
    # Without DEBUG the manifest storage needs collected static files.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                   cwd=ROOT, env=env, check=True)
    # The server's output goes to a file that is shown if the benchmark fails.
    log = tempfile.NamedTemporaryFile("w+", prefix="bench-daphne-", suffix=".log")
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
         "videovisit.asgi:application"], cwd=ROOT, env=env,
        stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("daphne did not start") from None
                time.sleep(0.2)
        yield url
    except BaseException:
        log.seek(0)
        progress(f"daphne's log, its last lines:\n{''.join(log.readlines()[-40:])}")
        raise
    finally:
        server.terminate()
        server.wait(10)
        log.close()


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def percentile(samples: list[float], p: float) -> float:
    """The nearest-rank p-th percentile: a value that was measured, never an interpolation."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def verdict(ok: bool, target: str) -> str:
    return f"{target} " + ("ok" if ok else "MISSED")


def progress(message: str) -> None:
    """Progress goes to stderr, so that stdout carries only the table (or its JSON)."""
    print(message, file=sys.stderr, flush=True)


Row = tuple[str, str, str]


def print_table(title: str, rows: list[Row]) -> None:
    """rows: (figure, value, target and verdict)."""
    print_sections([(title, rows)])


def print_sections(sections: list[tuple[str, list[Row]]], heading: str = "") -> None:
    """One table: each section's title, then its rows, the columns aligned across all."""
    width = max(len(r[0]) for _title, rows in sections for r in rows) + 2
    if heading:
        print(heading)
    print(f"\n{'figure'.ljust(width)}  {'value':>14}  target")
    for title, rows in sections:
        print(title)
        for figure, value, target in rows:
            print(f"{('  ' + figure).ljust(width)}  {value:>14}  {target}".rstrip())


def report(title: str, rows: list[Row]) -> None:
    """The end of a benchmark run alone: its table, or with --json one line for bench/__main__."""
    if "--json" in sys.argv:
        print(json.dumps({"title": title, "rows": rows}))
    else:
        print_table(title, rows)


def machine() -> str:
    """What the figures were measured on: cores, CPU, memory, PostgreSQL, Redis, date."""
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
    import psycopg
    import redis

    # The server's own database: DATABASE_URL's need not exist, only its scratch ones do.
    admin = urlunsplit(urlsplit(scratch_database_url("x"))._replace(path="/postgres"))
    with psycopg.connect(admin) as conn:
        postgres = conn.execute("SHOW server_version").fetchone()[0].split()[0]
    client = redis.Redis.from_url(redis_url())
    try:
        redis_version = client.info("server")["redis_version"]
    finally:
        client.close()
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (f"{os.cpu_count()} cores {cpu or platform.processor()}, {memory}, "
            f"PostgreSQL {postgres}, Redis {redis_version}, Python {platform.python_version()},"
            f" {today}")
