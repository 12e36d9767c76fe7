"""Flow ``scrape``: fetch new pages from the configured web sources into the raw store."""

from __future__ import annotations

from datetime import date

from prefect import flow

from flows.common import pipeline_run
from flows.tasks import ingest_task, register_sources_task, scrape_task
from rnw.rawstore import RawStore, SourceRow
from rnw.settings import Settings, get_settings
from rnw.summary import RunSummary
from scrapers.registry import Registry, Source, load_registry

WEB_KINDS = {"rss", "sitemap", "listing"}


def select_sources(registry: Registry, source_ids: list[str] | None, kinds: set[str]) -> list[Source]:
    """Enabled sources of the given kinds; named sources are taken even when disabled."""
    if source_ids:
        return [registry.get(i) for i in source_ids if registry.get(i).kind in kinds]
    return [s for s in registry.sources if s.enabled and s.kind in kinds]


def register_all(settings: Settings, registry: Registry) -> None:
    register_sources_task(
        settings,
        [SourceRow(s.id, s.name, s.kind, s.base_url, s.region_code, s.enabled) for s in registry.sources],
    )


def ingest_into(settings: Settings, summary: RunSummary, sources: list[Source]) -> None:
    """Re-read the folders of file sources: content addressing makes known files cost no rows.
    One task and one raw-store session for all of them (see RawStore.session)."""
    with summary.stage("ingest"), RawStore(settings.raw_db).session():
        if sources:
            report = ingest_task(settings, {source.id: source.paths for source in sources}, summary.run_id)
            summary.add_ingest(report.files, report.result)


def scrape_into(
    settings: Settings, summary: RunSummary, sources: list[Source], since: date | None, until: date | None
) -> None:
    if not sources:
        return
    report = scrape_task(settings, sources, summary.run_id, since, until)
    summary.add_scrape(report)


@flow(name="scrape")
def scrape(
    source_ids: list[str] | None = None, since: date | None = None, until: date | None = None
) -> RunSummary:
    settings = get_settings()
    registry = load_registry(settings.sources)
    with pipeline_run(settings, "scrape") as summary:
        register_all(settings, registry)
        with summary.stage("scrape"):
            scrape_into(settings, summary, select_sources(registry, source_ids, WEB_KINDS), since, until)
    return summary
