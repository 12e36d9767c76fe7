"""Prefect flows: thin wrappers that call tasks, which call the library (rnw, scrapers)."""

from rnw import env as _env  # noqa: F401  (telemetry off before Prefect is imported)
