"""Flow ``backfill``: re-discover and fetch archive pages in a date window, re-read file sources,
then build, which re-extracts stored pages whose extractor or enricher version is older."""

from __future__ import annotations

from datetime import date

from prefect import flow

from flows.build import build_and_publish
from flows.common import pipeline_run
from flows.scrape import WEB_KINDS, ingest_into, register_all, scrape_into, select_sources
from rnw.settings import get_settings
from rnw.summary import RunSummary
from scrapers.registry import load_registry


@flow(name="backfill")
def backfill(start_date: date, end_date: date, sources: list[str] | None = None) -> RunSummary:
    if end_date < start_date:
        raise ValueError(f"backfill window ends ({end_date}) before it starts ({start_date})")
    settings = get_settings()
    registry = load_registry(settings.sources)
    with pipeline_run(settings, "backfill") as summary:
        summary.notes.append(
            f"window {start_date} .. {end_date}, sources {', '.join(sources or ['all enabled'])}"
        )
        register_all(settings, registry)
        ingest_into(settings, summary, select_sources(registry, sources, {"files"}))
        with summary.stage("scrape"):
            scrape_into(settings, summary, select_sources(registry, sources, WEB_KINDS), start_date, end_date)
        build_and_publish(settings, summary)
    return summary
