"""Running the app under gunicorn from Python, so ``engage serve`` needs no extra files."""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from engage import create_app

        return create_app()


def warm_up_worker(worker: Any) -> None:
    """Gunicorn's ``post_worker_init``: in each worker, once it has the app and before it
    takes a request. Gunicorn counts a worker's start against its timeout, so the worker
    says it is alive first: only the loading itself then counts."""
    from engage.classification import warm_up

    worker.notify()
    warm_up(worker.wsgi)


def default_workers() -> int:
    """Two worker processes a core. The work of a request is mostly Python holding the GIL
    (validation, screening, redaction, SQL building), so threads in one process take
    turns on one core: measured with the intake benchmark on 2 cores, 4 sync workers took
    in a third more concerns a second than 2 gthread workers of 4 threads with every
    concern classified, and a tenth more without. Two a core keeps a core busy while a
    worker waits on the database or Redis."""
    return 2 * (os.cpu_count() or 1)


def serve(*, host: str, port: int, workers: int, threads: int) -> None:
    """Serve with ``workers`` processes. With one thread each they are gunicorn's sync
    workers (one request at a time, no keep-alive: meant to sit behind a proxy that
    buffers, such as nginx); with more, gthread workers that also keep connections open.
    """
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread" if threads > 1 else "sync",
            "accesslog": "-",
            "graceful_timeout": 10,
            "post_worker_init": warm_up_worker,
            # Gunicorn counts a worker's start against this, and loading the theme model
            # before the first request takes seconds on a busy machine: 30 s is too close.
            "timeout": 120,
            "preload_app": False,
            # Gunicorn 27's control socket is one path per user: two servers would clash.
            "control_socket_disable": True,
        }
    ).run()
