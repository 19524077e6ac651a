"""Known vulnerabilities in the installed dependencies: pip-audit, with a fallback.

pip-audit asks PyPI for each installed version (``/pypi/NAME/VERSION/json``). Where that
answer is missing (some mirrors serve only ``/pypi/NAME/json``), this falls back to the
project's own JSON, whose ``vulnerabilities`` list describes its newest release: exact when
the installed version is the newest, and otherwise reported as not audited, by name.

Vulnerabilities we accept are listed, each with its reason, in ``.ci/pip-audit-ignore.txt``
(``ID  reason`` per line). Exit status 1 when any other vulnerability is found.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from importlib import metadata
from pathlib import Path

IGNORE_FILE = Path(__file__).with_name("pip-audit-ignore.txt")
PYPI_PROJECT = "https://pypi.org/pypi/{name}/json"
NOT_ON_PYPI = "Dependency not found on PyPI"


def accepted_ids() -> dict[str, str]:
    accepted = {}
    for line in IGNORE_FILE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            vuln_id, _, reason = line.partition(" ")
            if not reason.strip():
                sys.exit(f"{IGNORE_FILE}: {vuln_id} needs a reason on the same line")
            accepted[vuln_id] = reason.strip()
    return accepted


def run_pip_audit(accepted: dict[str, str]) -> dict[str, object]:
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--local",
        "--skip-editable",
        "--progress-spinner",
        "off",
        "--format",
        "json",
    ]
    for vuln_id in accepted:
        command += ["--ignore-vuln", vuln_id]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode not in (0, 1) or not done.stdout.strip():
        sys.exit(f"pip-audit failed ({done.returncode}):\n{done.stderr}")
    report: dict[str, object] = json.loads(done.stdout)
    return report


def newest_release_vulnerabilities(name: str) -> tuple[str, list[dict[str, object]]]:
    url = PYPI_PROJECT.format(name=name)
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - fixed https URL
        project = json.load(response)
    vulns = [v for v in project.get("vulnerabilities") or [] if not v.get("withdrawn")]
    return str(project["info"]["version"]), vulns


def main() -> int:
    accepted = accepted_ids()
    report = run_pip_audit(accepted)
    found: list[str] = []
    unaudited: list[str] = []
    audited = 0
    dependencies = report["dependencies"]
    assert isinstance(dependencies, list)
    for dependency in dependencies:
        name = dependency["name"]
        if "skip_reason" not in dependency:
            audited += 1
            found += [f"{name} {dependency['version']}: {v['id']}" for v in dependency["vulns"]]
            continue
        if not str(dependency["skip_reason"]).startswith(NOT_ON_PYPI):
            continue  # the project itself, installed editable
        installed = metadata.version(name)
        try:
            newest, vulns = newest_release_vulnerabilities(name)
        except OSError as error:
            unaudited.append(f"{name} {installed} ({error})")
            continue
        if newest != installed:
            unaudited.append(f"{name} {installed} (PyPI's newest is {newest})")
            continue
        audited += 1
        for vuln in vulns:
            ids = {str(vuln["id"]), *(str(a) for a in vuln.get("aliases") or [])}
            if not ids & accepted.keys():
                found.append(f"{name} {installed}: {vuln['id']} ({vuln.get('link', '')})")
    print(f"pip-audit: {audited} dependencies audited, {len(found)} known vulnerabilities")
    if unaudited:
        print(f"not audited here ({len(unaudited)}): " + "; ".join(unaudited))
    for line in found:
        print(f"VULNERABLE {line}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
