"""Gunicorn settings for production: ``gunicorn -c deploy/gunicorn.conf.py``.

Every web process is stateless: sessions are signed cookies, concerns and job claims live in
PostgreSQL, and rate-limit counters live in Redis (ENGAGE_RATELIMIT_STORAGE_URI), so any
number of these processes, on any number of machines, can run behind one load balancer.
Scheduled jobs never run here: run exactly one ``engage scheduler`` beside them.

Environment: PORT (default 8000), WEB_CONCURRENCY (worker processes, default two a core),
WEB_THREADS (threads per worker, default 1: sync workers), and the service's own ENGAGE_*
settings. Sync workers, as ``engage serve`` runs by default (``engage.server.default_workers``
says why), answer one request at a time and must sit behind a proxy that buffers requests
and responses (nginx, or a cloud load balancer), as this deployment does.
"""

from __future__ import annotations

import os

from engage.server import warm_up_worker

wsgi_app = "engage:create_app()"
bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104 - in a container, behind the proxy
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
threads = int(os.environ.get("WEB_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# Each worker builds its own app (and its own database pool) after the fork.
preload_app = False
# Each worker loads the redactor and theme model before its first request.
post_worker_init = warm_up_worker
# A request that takes longer than this is stuck: the worker is replaced. Loading the model
# at a worker's start counts against it too: 9 s for one worker on a busy 2-core machine,
# and workers start together.
timeout = 60
graceful_timeout = 20
keepalive = 5
# Replace workers now and then, so a slow leak never builds up.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
# The proxy's X-Forwarded-* headers are read by the app (ENGAGE_TRUSTED_PROXIES), not here.
forwarded_allow_ips = ""
# Gunicorn 27's control socket is one path per user: several servers on a host would clash.
control_socket_disable = True
