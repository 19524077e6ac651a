"""Run every benchmark here, one after another, and keep the combined result.

    python -m benchmarks.run [NAME ...] [--args NAME="--seconds 10 ..."]      (make bench)

A benchmark is a module ``benchmarks/bench_<name>.py`` with a ``main()`` that prints its
results as one JSON object when given ``--json``. Each runs in a process of its own, so
one benchmark's imports and threads never slow the next. The combined result goes to
``benchmarks/results/latest.json`` and a table to the terminal.
"""

from __future__ import annotations

import argparse
import ast
import json
import shlex
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.bench_intake import machine_facts

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "latest.json"


def discover() -> dict[str, Path]:
    """bench_<name>.py modules that define ``main``, by name (read, not imported)."""
    found = {}
    for path in sorted(HERE.glob("bench_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body):
            found[path.stem.removeprefix("bench_")] = path
    return found


def run_one(path: Path, extra: list[str]) -> dict[str, Any]:
    print(f"== {path.stem} {' '.join(extra)}".rstrip(), file=sys.stderr, flush=True)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{path.stem}", "--json", *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    try:
        results: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        results = {"error": "no JSON result", "output": done.stdout[-2000:]}
    results["exit_code"] = done.returncode
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    return results


def flatten(values: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows.extend(flatten(value, f"{name}."))
        elif isinstance(value, bool) and prefix.startswith("met."):
            rows.append((name, "met" if value else "MISSED"))
        else:
            rows.append((name, json.dumps(value) if isinstance(value, list) else str(value)))
    return rows


def print_table(combined: dict[str, Any]) -> None:
    machine = combined["machine"]
    print(
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, "
        f"Python {machine['python']}, load average {machine['load_average_at_start']}"
    )
    for name, results in combined["benchmarks"].items():
        print(f"\n{name}")
        shown = {k: v for k, v in results.items() if k not in ("machine", "targets")}
        for key, value in flatten(shown):
            print(f"  {key:44} {value}")
    print(f"\nWritten to {RESULTS.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    available = discover()
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"which to run (default all: {list(available)})")
    parser.add_argument(
        "--args",
        action="append",
        default=[],
        metavar='NAME="ARGS"',
        help='extra arguments for one benchmark, e.g. intake="--seconds 10"',
    )
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(available)
    if unknown:
        parser.error(f"no benchmark named {', '.join(sorted(unknown))}")
    extra: dict[str, list[str]] = {}
    for item in args.args:
        name, _, rest = item.partition("=")
        extra[name] = shlex.split(rest)

    combined: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_facts(),
        "benchmarks": {},
    }
    for name in args.names or available:
        combined["benchmarks"][name] = run_one(available[name], extra.get(name, []))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(combined, indent=2) + "\n", encoding="utf-8")
    print_table(combined)
    failed = [n for n, r in combined["benchmarks"].items() if r["exit_code"] != 0]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
