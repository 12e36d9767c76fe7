"""Regional News Warehouse: Chinese regional news pages into a queryable DuckDB warehouse."""

from rnw import env as _env  # noqa: F401  (telemetry off before any Prefect or dbt import)
