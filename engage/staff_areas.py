"""Registers the staff blueprints: sign-in, outreach, triage, reports, job runs, panels,
data protection.

Each area exposes ``register(app)`` in its package and owns its routes, menu sections and
CLI commands.
"""

from __future__ import annotations

from importlib import import_module

from flask import Flask

AREAS = (
    "engage.auth",
    "engage.triage",
    "engage.outreach",
    "engage.jobs_admin",
    "engage.reports",
    "engage.panels",
    "engage.data_protection",
)


def register_staff_areas(app: Flask) -> None:
    for name in AREAS:
        import_module(name).register(app)
