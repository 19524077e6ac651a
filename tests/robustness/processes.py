"""Real server processes for the robustness tests: gunicorn as ``engage serve`` runs it, the
scheduler as ``engage scheduler`` runs it, and an HTTP client that talks to them.

Each process starts in a session of its own with production settings, so a test can kill a
worker, the master, or the whole group with the signal a crash would send.
"""

from __future__ import annotations

import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOOT_SECONDS = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def production_env(database_url: str, workdir: Path, **extra: str) -> dict[str, str]:
    """The environment a production process gets: its database, a secret, no theme model."""
    return {
        **os.environ,
        "ENGAGE_ENV": "production",
        "ENGAGE_DATABASE_URL": database_url,
        "ENGAGE_SECRET_KEY": "robustness-" + uuid.uuid4().hex * 2,
        "ENGAGE_CLASSIFY_INLINE": "0",
        "ENGAGE_MODEL_DIR": str(workdir / "no-model"),
        "ENGAGE_OUTBOX_DIR": str(workdir / "outbox"),
        **extra,
    }


def children_of(pid: int) -> set[int]:
    found: set[int] = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    with suppress(OSError, IndexError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    return False


def wait_gone(pids: set[int], seconds: float) -> set[int]:
    """Wait for processes to end; the ones still running after ``seconds``."""
    deadline = time.monotonic() + seconds
    while (left := {pid for pid in pids if alive(pid)}) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@dataclass
class Gunicorn:
    """``engage serve`` on a fixed port; ``start`` again after the master was killed."""

    env: Mapping[str, str]
    log_path: Path
    workers: int = 3
    threads: int = 2
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    masters_started: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            sys.executable,
            "-c",
            "from engage.server import serve; serve(host='127.0.0.1', "
            f"port={self.port}, workers={self.workers}, threads={self.threads})",
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                env=dict(self.env),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                start_new_session=True,
            )
        self.masters_started += 1
        self.wait_ready()

    @property
    def master(self) -> int:
        assert self.process is not None
        return self.process.pid

    def worker_pids(self) -> set[int]:
        return children_of(self.master) if self.process else set()

    def wait_ready(self, seconds: float = BOOT_SECONDS) -> None:
        """Until every worker is up and /healthz answers."""
        assert self.process is not None
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start:\n{self.log_tail()}")
            if len(self.worker_pids()) >= self.workers and self._healthy():
                return
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn was not ready within {seconds:g} s:\n{self.log_tail()}")

    def _healthy(self) -> bool:
        with suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                connection.request("GET", "/healthz")
                return connection.getresponse().status == 200
            finally:
                connection.close()
        return False

    def kill_worker(self, rng: random.Random) -> int | None:
        pids = sorted(self.worker_pids())
        if not pids:
            return None
        victim = rng.choice(pids)
        with suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)
        return victim

    def kill_master_and_restart(self) -> None:
        """SIGKILL the master, let its orphaned workers notice and leave (as they do within
        a second or two; a supervisor would kill them), then start a new master."""
        assert self.process is not None
        orphans = self.worker_pids()
        self.process.kill()
        self.process.wait()
        for pid in wait_gone(orphans, 15):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        wait_gone(orphans, 5)
        self.start()

    def stop(self) -> None:
        """A graceful stop (SIGTERM to the master), then SIGKILL to anything left."""
        if self.process is None or self.process.poll() is not None:
            return
        workers = self.worker_pids()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        for pid in wait_gone(workers, 5):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def log_tail(self, characters: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-characters:]


def start_scheduler(env: Mapping[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """``engage scheduler``, the one process meant to run scheduled jobs."""
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-c", "from engage.cli import main; main()", "scheduler"],
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: list[str]


def exchange(
    url: str,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    source: str = "127.0.0.1",
    timeout: float = 30,
) -> Answer:
    """One request on a new connection from ``source`` (any 127.x.y.z address works on
    Linux, so a test can be many residents, or one)."""
    host, _, port = url.removeprefix("http://").partition(":")
    connection = http.client.HTTPConnection(
        host, int(port), timeout=timeout, source_address=(source, 0)
    )
    try:
        connection.request(method, path, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        payload = response.read()
        return Answer(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            payload,
            response.headers.get_all("Set-Cookie") or [],
        )
    finally:
        connection.close()


def random_source(rng: random.Random) -> str:
    return f"127.{rng.randint(1, 254)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
