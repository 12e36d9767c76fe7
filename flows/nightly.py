"""Flow ``nightly``: read every enabled source (files and web), build the marts, publish."""

from __future__ import annotations

from prefect import flow

from flows.build import build_and_publish
from flows.common import pipeline_run
from flows.scrape import WEB_KINDS, ingest_into, register_all, scrape_into, select_sources
from rnw.settings import get_settings
from rnw.summary import RunSummary
from scrapers.registry import load_registry


@flow(name="nightly")
def nightly() -> RunSummary:
    settings = get_settings()
    registry = load_registry(settings.sources)
    with pipeline_run(settings, "nightly") as summary:
        register_all(settings, registry)
        ingest_into(settings, summary, select_sources(registry, None, {"files"}))
        with summary.stage("scrape"):
            scrape_into(settings, summary, select_sources(registry, None, WEB_KINDS), None, None)
        build_and_publish(settings, summary)
    return summary
