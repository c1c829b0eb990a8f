"""Every benchmark, one table: `python -m bench` (make bench) on PostgreSQL and Redis.

Each benchmark runs in a process of its own, as it would alone (Django binds to one
database per process), and hands its rows back as JSON; progress goes to stderr.
BENCH_ONLY=booking,room runs some of them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import machine, print_sections, progress, redis_url  # noqa: E402

BENCHMARKS = ("start_page", "booking", "room")


def main() -> None:
    redis_url()  # refuse early, not after the first benchmark has run
    chosen = os.environ.get("BENCH_ONLY", "").split(",") if os.environ.get("BENCH_ONLY") \
        else list(BENCHMARKS)
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        sys.exit(f"BENCH_ONLY: no benchmark {', '.join(sorted(unknown))}")
    sections = []
    for name in BENCHMARKS:
        if name not in chosen:
            continue
        progress(f"== {name}")
        out = subprocess.run([sys.executable, str(Path(__file__).parent / f"{name}.py"),
                              "--json"], check=True, stdout=subprocess.PIPE, text=True).stdout
        result = json.loads(out.strip().splitlines()[-1])
        sections.append((result["title"], [tuple(row) for row in result["rows"]]))
    print_sections(sections, heading=f"Machine: {machine()}")


if __name__ == "__main__":
    main()
