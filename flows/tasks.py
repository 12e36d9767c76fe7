"""Prefect tasks shared by the flows; each is one call into the library."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import task

from rnw import progress
from rnw.build import BuildSummary, run_dbt
from rnw.ingest import IngestReport, ingest_sources
from rnw.publish import publish
from rnw.rawstore import RawStore, SourceRow
from rnw.scrape import ScrapeReport, scrape_into_store
from rnw.settings import Settings
from scrapers.registry import Source
from scrapers.scrape import ScrapeStats


@task(retries=2, retry_delay_seconds=2, task_run_name="ingest")
def ingest_task(settings: Settings, sources: dict[str, list[str]], run_id: str) -> IngestReport:
    """Every file source of a run in one task: they share the raw store's batches
    (``rnw.ingest.ingest_sources``). A retry re-reads them all; content addressing makes the pages
    already staged cost no rows."""
    label = "ingest " + (next(iter(sources)) if len(sources) == 1 else f"{len(sources)} sources")
    done = 0

    def tick(count: int) -> None:
        nonlocal done
        done += count
        progress.report(label, done)

    store = RawStore(settings.raw_db)
    with store.session():
        return ingest_sources(
            store,
            {source_id: [Path(p) for p in paths] for source_id, paths in sources.items()},
            run_id=run_id,
            batch_size=settings.ingest_batch_size,
            progress=tick,
        )


@task
def register_sources_task(settings: Settings, rows: list[SourceRow]) -> None:
    from datetime import UTC, datetime

    RawStore(settings.raw_db).register_sources(rows, datetime.now(UTC))


@task(task_run_name="dbt-build")
def dbt_build_task(settings: Settings, full_refresh: bool = False) -> BuildSummary:
    extra = ["--quiet"] + (["--full-refresh"] if full_refresh else [])
    progress.report("dbt build", 0, None, "running")
    summary = run_dbt(settings, "build", extra)
    progress.report("dbt build", summary.models, None, f"{summary.tests_passed} tests passed")
    return summary


@task(retries=2, retry_delay_seconds=2)
def publish_task(
    settings: Settings, run: dict, stages: list[dict], full_refresh: bool = False
) -> dict[str, int]:
    return publish(settings, run, stages, rebuild_staging=full_refresh)


@task(retries=1, retry_delay_seconds=10, task_run_name="scrape")
def scrape_task(
    settings: Settings,
    sources: list[Source],
    run_id: str,
    since: date | None = None,
    until: date | None = None,
) -> ScrapeReport:
    """All web sources side by side: one fetcher, so per-domain limits hold across them."""
    store = RawStore(settings.raw_db)
    with store.session():
        return scrape_into_store(
            store,
            sources,
            settings.fetch_settings(),
            run_id=run_id,
            since=since,
            until=until,
            batch_size=settings.scrape_batch_size,
            progress=_report_scrape,
        )


def _report_scrape(stats: ScrapeStats) -> None:
    detail = f"{stats.discovered} found, {stats.skipped_known} known, {stats.failed} failed"
    progress.report(f"scrape {stats.source_id}", stats.fetched, None, detail)
