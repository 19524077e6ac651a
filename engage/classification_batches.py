"""Classifying new concerns just after they are stored, in batches, off the request path.

A concern's themes come from the model one text at a time when classified inline, and at
that size the model's fixed costs dominate: each request finds spaCy's tables and the
model's weights cold in the CPU caches after its other work. Measured under gunicorn, a
concern classified inline cost about a millisecond of CPU more than the same text in a
batch of a dozen. So, with ``ENGAGE_CLASSIFY_BATCH_SECONDS`` above zero, a submission stores
its concern (redacted, screened, unclassified) and hands its id and text to this process's
batcher; a background thread gathers what arrives within that many seconds, classifies it
in one call and records the themes in one transaction.

Nothing acknowledged depends on this: the concern is committed before it is queued. A
batch that cannot be classified or written (model not loaded, database refusing) is
logged and left unclassified for ``engage classify-pending``, which the scheduler runs; so
is anything still queued when a process is killed outright. A process that stops normally
finishes its queue first.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from classifiers.service import Classification

log = logging.getLogger(__name__)

MAX_BATCH = 256
STOP_WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class Queued:
    concern_id: int
    text: str


ClassifyMany = Callable[[Sequence[str]], "list[Classification] | None"]
Record = Callable[[Sequence[Queued], "list[Classification]"], None]


class ClassificationBatcher:
    """One per process. ``submit`` never blocks on the model or the database.

    ``classify_many`` returns None when no model is loaded; ``record`` writes a batch's
    results in one transaction. Both run on the batcher's own thread.
    """

    def __init__(
        self,
        classify_many: ClassifyMany,
        record: Record,
        *,
        linger: float,
        max_batch: int = MAX_BATCH,
    ) -> None:
        if linger <= 0:
            raise ValueError("a batcher needs a positive linger; zero means classify inline")
        self.linger = linger
        self.max_batch = max_batch
        self._classify_many = classify_many
        self._record = record
        self._queue: queue.Queue[Queued | None] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._owner_pid: int | None = None

    def submit(self, concern_id: int, text: str) -> None:
        self._ensure_running()
        self._queue.put(Queued(concern_id, text))

    def wait_idle(self, timeout: float = STOP_WAIT_SECONDS) -> bool:
        """Wait until everything submitted so far is classified (or given up on); True if
        that happened within ``timeout``."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)
        return True

    def stop(self, timeout: float = STOP_WAIT_SECONDS) -> None:
        """Finish the queue, then end the thread (registered to run at process exit)."""
        thread = self._thread
        if thread is None or self._owner_pid != os.getpid() or not thread.is_alive():
            return
        self._queue.put(None)
        thread.join(timeout)
        if thread.is_alive():
            log.warning(
                "Stopped with %d concern(s) still to classify; classify-pending will do them",
                self._queue.qsize(),
            )

    def _ensure_running(self) -> None:
        """Start the thread in this process. A server that forks after the app is built
        (gunicorn) gives each worker its own, started on the worker's first submission."""
        if self._owner_pid == os.getpid() and self._thread is not None:
            return
        with self._lock:
            if self._owner_pid == os.getpid() and self._thread is not None:
                return
            self._queue = queue.Queue()
            self._thread = threading.Thread(
                target=self._run, name="engage-classification-batches", daemon=True
            )
            self._owner_pid = os.getpid()
            self._thread.start()
            atexit.register(self.stop)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                self._queue.task_done()
                return
            batch, stopping = self._gather(first)
            try:
                self._classify_and_record(batch)
            finally:
                for _ in range(len(batch) + stopping):
                    self._queue.task_done()
            if stopping:
                return

    def _gather(self, first: Queued) -> tuple[list[Queued], bool]:
        """What arrives within ``linger`` of the first item, up to ``max_batch``; and
        whether the stop marker came with it."""
        batch = [first]
        deadline = time.monotonic() + self.linger
        while len(batch) < self.max_batch:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                item = self._queue.get(timeout=remaining)
            except queue.Empty:
                break
            if item is None:
                self._drain_into(batch)
                return batch, True
            batch.append(item)
        return batch, False

    def _drain_into(self, batch: list[Queued]) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is None:
                self._queue.task_done()
            else:
                batch.append(item)

    def _classify_and_record(self, batch: list[Queued]) -> None:
        try:
            results = self._classify_many([item.text for item in batch])
            if results is None:
                log.warning(
                    "No theme model loaded: %d concern(s) left for classify-pending", len(batch)
                )
                return
            self._record(batch, results)
        except Exception:  # one bad batch must not stop the thread serving the next
            log.exception(
                "Classifying a batch failed: %d concern(s) left for classify-pending",
                len(batch),
            )
