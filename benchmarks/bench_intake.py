"""Intake load benchmark: how many concerns a second the API takes in under gunicorn.

    python -m benchmarks.bench_intake [--seconds 10] [--rounds 3] [--clients 8] [--workers W]
        [--threads 1]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--classify [--classify-inline] [--model-dir instance/models]]
        [--ratelimit-storage redis://127.0.0.1:6379] [--json]

Starts the service as ``engage serve`` runs it (gunicorn, production settings; sync
workers, two a core, or gthread workers with ``--threads`` above 1) on loopback against a
fresh, migrated database (a SQLite file, or a PostgreSQL schema dropped afterwards). The
clients all come from 127.0.0.1, so the per-client submission limit is lifted the
documented way, by setting ENGAGE_SUBMIT_RATE_LIMIT out of reach: it is still checked on
every submission, counted in Redis as deployed with several workers. Then it measures
from client threads with keep-alive connections (a sync worker closes each connection
after one request):
(a) the ceiling, GET /healthz (a hello-world route on the same server and workers);
(b) POST /api/v1/concerns, each with a unique Idempotency-Key, every reference recorded.
After a warm-up of each, (a) and (b) alternate for ``--rounds`` rounds, so that a change in
the machine's speed while measuring (a shared host) falls on both alike. Reports requests/s
and p50/p95 latency of each, pooled over the rounds, the ratio (b)/(a) (target >= 40 %)
and each round's ratio, then stops the server and checks every acknowledged reference is
in the database exactly once.

The load generator shares the machine's cores with the server, so it is kept light (stdlib
http.client costs a fifth of the CPU of requests; one process, threads) and the figures
are a floor. Server CPU per request, read from /proc, hardly depends on what else runs, so
it is reported beside the rates, with the cores other processes took while measuring.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from engage.server import default_workers

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "classifiers" / "corpus"
TARGET_RATIO = 0.40
BENCH_SUBMIT_LIMIT = "1000000 per second"
REDIS = "redis://127.0.0.1:6379"
BUSY_CORES = 0.25
AREAS = ROOT / "config" / "areas.yaml"
SHARED_CORES = (
    "The load generator runs on the same cores as the server, so it takes CPU the server "
    "would otherwise have: read these figures as a floor."
)


# ---------------------------------------------------------------------------- the machine


def machine_facts() -> dict[str, Any]:
    cpu = "unknown"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gib = None
    with suppress(OSError, ValueError, IndexError):
        kib = Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0]
        memory_gib = round(int(kib) / 1024 / 1024, 1)
    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)),
        "memory_gib": memory_gib,
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


# ---------------------------------------------------------------------------- the database


@contextmanager
def fresh_database(base_url: str | None, workdir: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file in ``workdir`` or a schema dropped after."""
    from engage.migrate import upgrade

    if base_url is None:
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        upgrade(url)
        yield url
        return
    schema = f"engage_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        in_schema = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
        rendered = in_schema.render_as_string(hide_password=False)
        upgrade(rendered)
        yield rendered
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def wait_until_classified(url: str, timeout: float = 30.0) -> Callable[[], None]:
    """A ``settle`` for ``load``: wait until no stored concern is left unclassified."""
    engine = create_engine(url)

    def settle() -> None:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with engine.connect() as connection:
                waiting = connection.scalar(
                    text("SELECT count(*) FROM concerns WHERE classified_at IS NULL")
                )
            if not waiting:
                return
            time.sleep(0.02)
        raise RuntimeError(f"{waiting} concern(s) still unclassified after {timeout:g} s")

    return settle


def verify(url: str, acknowledged: dict[str, str], classify: bool) -> dict[str, Any]:
    """Every acknowledged reference stored exactly once, under the key it was sent with."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT reference, idempotency_key FROM concerns WHERE channel = 'api'")
            ).all()
            classified = connection.scalar(
                text("SELECT count(*) FROM concerns WHERE model_version IS NOT NULL")
            )
    finally:
        engine.dispose()
    stored = Counter(reference for reference, _ in rows)
    key_of: dict[str, str] = dict(rows)
    missing = [ref for ref in acknowledged.values() if stored[ref] == 0]
    duplicated = [ref for ref in acknowledged.values() if stored[ref] > 1]
    wrong_key = [
        ref for key, ref in acknowledged.items() if stored[ref] and key_of[ref] != f"api:{key}"
    ]
    return {
        "acknowledged": len(acknowledged),
        "stored": len(rows),
        "missing": len(missing),
        "duplicated": len(duplicated),
        "wrong_key": len(wrong_key),
        # Stored but never acknowledged: a client gave up before the answer came.
        "unacknowledged": len(set(stored) - set(acknowledged.values())),
        # Shows whether the server really classified (or really did not).
        "classified": int(classified or 0),
        "ok": not (missing or duplicated or wrong_key)
        and len(rows) == len(set(stored))
        and (int(classified or 0) == len(rows) if classify else not classified),
    }


# ---------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    port: int
    pid: int

    def cpu_seconds(self) -> float:
        """CPU used so far by gunicorn's master and its workers (from /proc)."""
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with suppress(OSError, IndexError, ValueError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(stat.parent.name) == self.pid or int(fields[1]) == self.pid:
                    ticks += int(fields[11]) + int(fields[12])  # utime + stime
        return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def running_server(
    url: str,
    *,
    workers: int,
    threads: int,
    model_dir: Path | None,
    workdir: Path,
    ratelimit_storage: str = "memory://",
    inline: bool = False,
) -> Iterator[Server]:
    """The service under gunicorn as ``engage serve`` runs it, with production settings;
    it classifies with the model in ``model_dir`` (as deployed, just after storing, or
    ``inline`` within each request), or not at all without one."""
    port = free_port()
    # engage.server.serve is what `engage serve` runs, without the CLI's imports (seconds).
    command = [
        sys.executable,
        "-c",
        "from engage.server import serve; "
        f"serve(host='127.0.0.1', port={port}, workers={workers}, threads={threads})",
    ]
    env = {
        **os.environ,
        "ENGAGE_ENV": "production",
        "ENGAGE_DATABASE_URL": url,
        "ENGAGE_SECRET_KEY": uuid.uuid4().hex * 2,
        "ENGAGE_CLASSIFY_INLINE": "1" if model_dir else "0",
        # Every client here is 127.0.0.1, one address: the per-client limit on submissions
        # is raised out of reach (it is still checked on every request, as in production).
        "ENGAGE_SUBMIT_RATE_LIMIT": BENCH_SUBMIT_LIMIT,
        "ENGAGE_RATELIMIT_STORAGE_URI": ratelimit_storage,
        # Until settings read ENGAGE_CLASSIFY_INLINE, an empty model directory keeps the
        # classifier out of the measurement just as surely.
        "ENGAGE_MODEL_DIR": str(model_dir or workdir / "no-model"),
    }
    if inline:
        env["ENGAGE_CLASSIFY_BATCH_SECONDS"] = "0"
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            command,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
        try:
            wait_for_health(port, server, log_path, workers)
            yield Server(port, server.pid)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def wait_for_health(
    port: int, server: subprocess.Popen[bytes], log_path: Path, workers: int
) -> None:
    """Until /healthz answers and every worker has booted (each loads the app itself)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped at start:\n{log_path.read_text()[-3000:]}")
        booted = log_path.read_text(errors="replace").count("Booting worker")
        with suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            status = connection.getresponse().status
            connection.close()
            if status == 200 and booted >= workers:
                return
        time.sleep(0.2)
    raise RuntimeError("the server did not answer /healthz within 60 s")


# ---------------------------------------------------------------------------- the clients

# One request on a kept-alive connection; returns (key, reference) for a stored concern.
Kept = tuple[str, str]
Exchange = Callable[[http.client.HTTPConnection], Kept | None]


@dataclass
class ClientLog:
    latencies_ms: list[float] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


def health_check(connection: http.client.HTTPConnection) -> Kept | None:
    connection.request("GET", "/healthz")
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise http.client.HTTPException(f"status {response.status}")
    return None


def make_submitter(texts: list[str], districts: list[str], seed: int) -> Exchange:
    rng = random.Random(seed)

    def submit(connection: http.client.HTTPConnection) -> Kept | None:
        key = uuid.uuid4().hex
        body = json.dumps({"text": rng.choice(texts), "district": rng.choice(districts)})
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        connection.request("POST", "/api/v1/concerns", body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        if response.status != 201:
            raise http.client.HTTPException(f"status {response.status}")
        return key, json.loads(payload)["reference"]

    return submit


def client_loop(port: int, exchange: Exchange, deadline: float, log: ClientLog) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            kept = exchange(connection)
        except (OSError, http.client.HTTPException) as error:
            log.errors[str(error) or type(error).__name__] += 1
            connection.close()  # reconnects on the next request
            continue
        log.latencies_ms.append((time.perf_counter() - started) * 1000)
        if kept is not None:
            log.kept.append(kept)
    connection.close()


def machine_busy_seconds() -> float:
    """CPU time every process on the machine has used so far (from /proc/stat)."""
    with suppress(OSError, ValueError):
        user, nice, system, _idle, _iowait, irq, softirq, steal = (
            int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
        )
        return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    return 0.0


@dataclass
class Sample:
    """What one stretch of load measured, kept raw so stretches can be pooled."""

    seconds: float
    latencies_ms: list[float]
    errors: Counter[str]
    server_cpu: float
    client_cpu: float
    others_cpu: float


def load(
    server: Server,
    exchanges: Sequence[Exchange],
    seconds: float,
    settle: Callable[[], None] | None = None,
) -> tuple[Sample, list[Kept]]:
    """Run one client thread per exchange for ``seconds``; what it measured and what was kept.

    ``settle`` runs after the clients stop and before the CPU counters are read: work the
    server finishes after answering (themes worked out in batches just after storing) is
    charged to the phase that caused it, and none of it spills into the next phase. The
    phase's time stops with the clients: while settling, nothing is being sent.
    """
    logs = [ClientLog() for _ in exchanges]
    deadline = time.perf_counter() + seconds
    machine_before = machine_busy_seconds()
    server_before, client_before = server.cpu_seconds(), time.process_time()
    started = time.perf_counter()
    workers = [
        threading.Thread(
            target=client_loop, args=(server.port, exchange, deadline, log), daemon=True
        )
        for exchange, log in zip(exchanges, logs, strict=True)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if settle is not None:
        settle()
    server_cpu = server.cpu_seconds() - server_before
    client_cpu = time.process_time() - client_before
    others_cpu = max(machine_busy_seconds() - machine_before - server_cpu - client_cpu, 0.0)
    errors: Counter[str] = Counter()
    for log in logs:
        errors.update(log.errors)
    sample = Sample(
        seconds=elapsed,
        latencies_ms=[ms for log in logs for ms in log.latencies_ms],
        errors=errors,
        server_cpu=server_cpu,
        client_cpu=client_cpu,
        others_cpu=others_cpu,
    )
    return sample, [kept for log in logs for kept in log.kept]


def summarise(samples: Sequence[Sample]) -> dict[str, Any]:
    """The figures of one or more stretches of the same load, pooled."""
    elapsed = sum(s.seconds for s in samples)
    latencies = sorted(ms for s in samples for ms in s.latencies_ms)
    errors: Counter[str] = Counter()
    for sample in samples:
        errors.update(sample.errors)
    server_cpu = sum(s.server_cpu for s in samples)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(cuts[49], 2),
        "p95_ms": round(cuts[94], 2),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors.most_common(5)),
        # CPU per request hardly depends on what else the machine is doing; req/s does.
        "server_cpu_ms_per_request": round(server_cpu * 1000 / max(len(latencies), 1), 3),
        "server_cores_used": round(server_cpu / elapsed, 2),
        "client_cores_used": round(sum(s.client_cpu for s in samples) / elapsed, 2),
        # Other people's work on the same cores: above a few tenths, req/s is not reliable.
        "other_cores_used": round(sum(s.others_cpu for s in samples) / elapsed, 2),
    }


def round_ratios(health: Sample, submit: Sample) -> dict[str, float]:
    """One round's share of the ceiling, by rate and by server CPU per request."""
    health_rate = len(health.latencies_ms) / health.seconds
    submit_rate = len(submit.latencies_ms) / submit.seconds
    health_cost = health.server_cpu / max(len(health.latencies_ms), 1)
    submit_cost = submit.server_cpu / max(len(submit.latencies_ms), 1)
    return {
        "by_rate": round(submit_rate / max(health_rate, 0.001), 3),
        "by_server_cpu": round(health_cost / max(submit_cost, 1e-9), 3),
    }


def corpus_texts() -> list[str]:
    texts: list[str] = []
    for path in sorted(CORPUS_DIR.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            texts.extend(row["text"] for row in csv.DictReader(handle))
    usable = [t.strip() for t in texts if 10 <= len(t.strip()) <= 2000]
    if not usable:
        raise RuntimeError(f"no concern texts found in {CORPUS_DIR}")
    return usable


# ---------------------------------------------------------------------------- the benchmark


def run(args: argparse.Namespace) -> dict[str, Any]:
    model_dir: Path | None = args.model_dir if args.classify else None
    if model_dir is not None and not (model_dir / "current").exists():
        raise SystemExit(f"--classify needs a trained model in {model_dir}: run `make model`")
    texts = corpus_texts()
    districts = [district["id"] for district in yaml.safe_load(AREAS.read_text())["districts"]]
    results: dict[str, Any] = {
        "machine": machine_facts(),
        "note": SHARED_CORES
        + (" Server CPU leaves out PostgreSQL's own processes." if args.database_url else ""),
        "settings": {
            "database": "postgresql" if args.database_url else "sqlite",
            "workers": args.workers,
            "threads": args.threads,
            "clients": args.clients,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "warmup_seconds": args.warmup,
            "classify": _classify_label(args),
            "worker_class": "gthread" if args.threads > 1 else "sync",
            "ratelimit_storage": args.ratelimit_storage,
            "submit_rate_limit": BENCH_SUBMIT_LIMIT,
        },
    }
    acknowledged: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="engage-bench-") as tmp:
        workdir = Path(tmp)
        with fresh_database(args.database_url, workdir) as url:
            with running_server(
                url,
                workers=args.workers,
                threads=args.threads,
                model_dir=model_dir,
                workdir=workdir,
                ratelimit_storage=args.ratelimit_storage,
                inline=args.classify_inline,
            ) as server:
                health = [health_check] * args.clients
                submitters = [
                    make_submitter(texts, districts, seed) for seed in range(args.clients)
                ]
                progress(
                    f"warm-up {args.warmup:g} s each, then {args.rounds} rounds of "
                    f"GET /healthz and POST /api/v1/concerns, {args.seconds:g} s each"
                )
                settle = wait_until_classified(url) if model_dir is not None else None
                load(server, health, args.warmup)
                acknowledged.update(load(server, submitters, args.warmup, settle)[1])
                health_samples: list[Sample] = []
                submit_samples: list[Sample] = []
                for _ in range(args.rounds):
                    health_samples.append(load(server, health, args.seconds)[0])
                    sample, kept = load(server, submitters, args.seconds, settle)
                    acknowledged.update(kept)
                    submit_samples.append(sample)
                results["healthz"] = summarise(health_samples)
                results["submit"] = summarise(submit_samples)
                results["rounds"] = [
                    round_ratios(h, s) for h, s in zip(health_samples, submit_samples, strict=True)
                ]
            progress("server stopped; checking the database")
            results["database_check"] = verify(url, acknowledged, model_dir is not None)
    health, submit = results["healthz"], results["submit"]
    ratio = submit["per_second"] / max(health["per_second"], 0.001)
    results["submit_share_of_healthz"] = round(ratio, 3)
    # What the share would be with the cores to themselves: a cost ratio, not a rate.
    results["submit_share_by_server_cpu"] = round(
        health["server_cpu_ms_per_request"] / max(submit["server_cpu_ms_per_request"], 0.001), 3
    )
    results["targets"] = {"submit_share_of_healthz": TARGET_RATIO}
    results["met"] = {
        "submit_share_of_healthz": ratio >= TARGET_RATIO,
        "database_check": results["database_check"]["ok"],
        "no_errors": health["errors"] == 0 and submit["errors"] == 0,
    }
    return results


def progress(message: str) -> None:
    print(f"bench_intake: {message}", file=sys.stderr, flush=True)


def _classify_label(args: argparse.Namespace) -> str:
    if not args.classify:
        return "off"
    if args.classify_inline:
        return "inline, within each request"
    return "just after storing, in batches (ENGAGE_CLASSIFY_BATCH_SECONDS as deployed)"


def print_table(results: dict[str, Any]) -> None:
    machine, settings = results["machine"], results["settings"]
    print(
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, "
        f"Python {machine['python']}, load average {machine['load_average_at_start']}"
    )
    print(
        f"Server: engage serve, {settings['workers']} {settings['worker_class']} workers x "
        f"{settings['threads']} threads, rate limits in {settings['ratelimit_storage']}, "
        f"{settings['database']}, classify: {settings['classify']}; "
        f"{settings['clients']} client threads, {settings['rounds']} rounds of "
        f"{settings['seconds']:g} s a phase"
    )
    print(f"Note: {results['note']}")
    print(
        f"{'':26}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'errors':>7}"
        f"{'server CPU ms/req':>19}{'cores: server':>15}{'client':>7}{'others':>7}"
    )
    for name, label in (("healthz", "GET /healthz (ceiling)"), ("submit", "POST /api/v1/concerns")):
        row = results[name]
        print(
            f"{label:26}{row['per_second']:>8.1f}{row['p50_ms']:>8.2f}{row['p95_ms']:>8.2f}"
            f"{row['errors']:>7}{row['server_cpu_ms_per_request']:>19.2f}"
            f"{row['server_cores_used']:>15.2f}{row['client_cores_used']:>7.2f}"
            f"{row['other_cores_used']:>7.2f}"
        )
    ratio, met = results["submit_share_of_healthz"], results["met"]
    verdict = "met" if met["submit_share_of_healthz"] else "MISSED"
    print(f"Submissions / ceiling: {ratio:.0%} (target >= {TARGET_RATIO:.0%}: {verdict})")
    print(f"Same ratio by server CPU per request: {results['submit_share_by_server_cpu']:.0%}")
    print(
        "Each round (by rate / by server CPU): "
        + ", ".join(f"{r['by_rate']:.0%} / {r['by_server_cpu']:.0%}" for r in results["rounds"])
    )
    busy = max(results[name]["other_cores_used"] for name in ("healthz", "submit"))
    if busy > BUSY_CORES:
        print(
            f"Warning: other processes used {busy:.2f} of the {machine['cores']} cores while "
            "measuring: req/s and latencies understate the service; CPU per request holds"
        )
    check = results["database_check"]
    print(
        f"Database check: {check['acknowledged']} acknowledged, {check['stored']} stored, "
        f"{check['missing']} missing, {check['duplicated']} duplicated, "
        f"{check['wrong_key']} under the wrong key: {'ok' if check['ok'] else 'FAILED'}; "
        f"{check['classified']} classified"
    )


def answers(redis_url: str) -> bool:
    address = urlsplit(redis_url)
    try:
        with socket.create_connection((address.hostname, address.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="length of each phase of each round"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of ceiling then submissions, alternated so a drift in the machine's "
        "speed falls on both alike",
    )
    parser.add_argument(
        "--warmup", type=float, help="unmeasured lead-in (default 3 s, 10 s with --classify)"
    )
    parser.add_argument("--clients", type=int, default=8, help="client threads")
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="gunicorn worker processes (default as `engage serve`: two a core)",
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (default 1: sync workers)"
    )
    parser.add_argument(
        "--database-url", help="a PostgreSQL server to use (a schema is made and dropped)"
    )
    parser.add_argument(
        "--classify",
        action="store_true",
        help="classify every concern, as deployed: just after storing, in batches (needs a"
        " trained model); each submission phase ends when all are classified",
    )
    parser.add_argument(
        "--classify-inline",
        action="store_true",
        help="with --classify: classify within each request instead (for comparison)",
    )
    parser.add_argument(
        "--model-dir",
        type=Path,
        default=ROOT / "instance" / "models",
        help="where --classify finds the model (default instance/models)",
    )
    parser.add_argument(
        "--ratelimit-storage",
        default=REDIS,
        help=f"rate-limit storage for the server (default {REDIS}, as deployed with several "
        "workers; memory:// when Redis is not answering, which counts per worker)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if args.ratelimit_storage.startswith("redis") and not answers(args.ratelimit_storage):
        progress(f"no Redis at {args.ratelimit_storage}: counting rate limits in memory://")
        args.ratelimit_storage = "memory://"
    if args.warmup is None:
        # The model loads in each worker on its first classification: keep that out.
        args.warmup = 10.0 if args.classify else 3.0
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    results = run(args)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_table(results)
    return results


if __name__ == "__main__":
    met = main()["met"]
    # A missed speed target is a finding; a lost concern or a failed request is a failure.
    sys.exit(0 if met["database_check"] and met["no_errors"] else 1)
