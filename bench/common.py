"""Shared parts of the benchmarks: a scratch PostgreSQL database, a daphne server, a table."""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# The server and this process must agree on it: sessions made here are signed with it.
BENCH_SECRET_KEY = "bench-only-secret-key-" + "x" * 40


def scratch_database_url(name: str) -> str:
    """DATABASE_URL with its database name replaced: benchmarks never touch real data."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("The benchmarks run on PostgreSQL: set DATABASE_URL (make bench does).")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


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
    """The app under daphne on a free port, as in production but for DEBUG."""
    port = free_port()
    env = os.environ | {"DATABASE_URL": database_url, "DJANGO_DEBUG": "false",
                        "DJANGO_SECRET_KEY": BENCH_SECRET_KEY,
                        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                        "DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_SECURE_COOKIES": "false",
                        "DJANGO_HSTS_SECONDS": "0", "LOG_LEVEL": "WARNING",
                        "DATABASE_CONN_MAX_AGE": "60"}
    # Without DEBUG the manifest storage needs collected static files.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                   cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
         "videovisit.asgi:application"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    finally:
        server.terminate()
        server.wait(10)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def print_table(title: str, rows: list[tuple[str, str, str]]) -> None:
    """rows: (figure, value, target and verdict)."""
    width = max(len(r[0]) for r in rows)
    print(f"\n{title}")
    print(f"{'figure'.ljust(width)}  {'value':>14}  target")
    for figure, value, target in rows:
        print(f"{figure.ljust(width)}  {value:>14}  {target}")
