"""The SQLite demo database must not double-book either (B6)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ten_bookings_of_one_slot_on_sqlite_make_one(tmp_path):  # B6
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL"}}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "videovisit.settings", "DJANGO_DEBUG": "true"}
    result = subprocess.run([sys.executable, "-m", "tests.bookings.sqlite_race"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["bookings"] == 1
    assert len(outcome["refusals"]) == 9
    assert all(m.startswith("Tiden är redan bokad") for m in outcome["refusals"])
