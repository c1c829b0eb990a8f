"""pip-audit on the installed dependencies: fail on a known vulnerability that has a fix.

A vulnerability without a released fix is printed but does not fail the run: there
is nothing to upgrade to yet. The run is skipped (exit 0, loudly) only when the
vulnerability service cannot be reached; any other failure of pip-audit fails.
"""

from __future__ import annotations

import json
import subprocess
import sys

UNREACHABLE = (
    "ConnectionError", "Failed to establish a new connection", "Max retries exceeded",
    "Name or service not known", "Temporary failure in name resolution",
    "Network is unreachable", "ConnectTimeout", "ReadTimeout", "timed out",
)


def main() -> int:
    run = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--format", "json", "--skip-editable",
         "--progress-spinner", "off"],
        capture_output=True, text=True,
    )
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        if any(sign in run.stderr for sign in UNREACHABLE):
            print("pip-audit: SKIPPED, the vulnerability service could not be reached:\n"
                  + run.stderr.strip().splitlines()[-1])
            return 0
        print(run.stderr, file=sys.stderr)
        print(f"pip-audit failed (exit {run.returncode})", file=sys.stderr)
        return 1

    fixable, unfixed = [], []
    for dependency in report.get("dependencies", []):
        for vuln in dependency.get("vulns", []):
            line = (f"{dependency['name']} {dependency['version']}: {vuln['id']} "
                    f"(fixed in {', '.join(vuln['fix_versions']) or 'no release yet'})")
            (fixable if vuln["fix_versions"] else unfixed).append(line)
    audited = len(report.get("dependencies", []))
    for line in unfixed:
        print(f"pip-audit: known, no fix released yet: {line}")
    for line in fixable:
        print(f"pip-audit: VULNERABLE, upgrade: {line}", file=sys.stderr)
    if fixable:
        return 1
    print(f"pip-audit: {audited} installed packages, no known vulnerability with a fix")
    return 0


if __name__ == "__main__":
    sys.exit(main())
