"""Benchmarks (docs/architecture.md): each module of this package measures one thing against a large
generated practice and exposes ``run() -> dict``. ``python -m bench`` runs them all and
writes their figures to ``bench/results.json``; ``python -m bench ical`` runs one."""
