"""Benchmarks: run them all with ``python -m benchmarks.run`` (``make bench``)."""
