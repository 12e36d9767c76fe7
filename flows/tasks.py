"""Prefect tasks shared by the flows; each is one call into the library."""

from __future__ import annotations

from pathlib import Path

from prefect import task

from rnw.build import BuildSummary, run_dbt
from rnw.ingest import IngestReport, ingest_paths
from rnw.publish import publish
from rnw.rawstore import RawStore, SourceRow
from rnw.settings import Settings


@task(retries=2, retry_delay_seconds=2, task_run_name="ingest-{source_id}")
def ingest_task(settings: Settings, paths: list[str], source_id: str, run_id: str) -> IngestReport:
    return ingest_paths(
        RawStore(settings.raw_db),
        [Path(p) for p in paths],
        source_id=source_id,
        run_id=run_id,
        batch_size=settings.ingest_batch_size,
    )


@task
def register_sources_task(settings: Settings, rows: list[SourceRow]) -> None:
    from datetime import UTC, datetime

    RawStore(settings.raw_db).register_sources(rows, datetime.now(UTC))


@task(task_run_name="dbt-build")
def dbt_build_task(settings: Settings, full_refresh: bool = False) -> BuildSummary:
    extra = ["--quiet"] + (["--full-refresh"] if full_refresh else [])
    return run_dbt(settings, "build", extra)


@task(retries=2, retry_delay_seconds=2)
def publish_task(settings: Settings) -> dict[str, int]:
    return publish(settings)
