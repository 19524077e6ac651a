"""Scheduled jobs: pure functions of a database session and a period (no Flask here).

``jobs.framework`` defines periods, claims and run records; ``jobs.catalogue`` reads
``config/schedules.yaml``; ``jobs.scheduler`` runs the catalogue in one process.
"""
