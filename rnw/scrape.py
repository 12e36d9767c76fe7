"""Scrape configured web sources into the raw store.

The scrape loop (``scrapers.scrape``) knows nothing of DuckDB; this module gives it what the store
knows (URLs already staged, with validators for conditional GET) and writes what it hands back,
batch by batch, so a kill loses at most the batch in flight and a re-run adds no duplicates.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from rnw.rawstore import AppendResult, RawPage, RawStore, Reject, headers_json, sha256_hex
from scrapers.encoding import DecodeError, decode_bytes
from scrapers.fetch import FetchedPage, Fetcher, FetchFailure, FetchSettings
from scrapers.registry import Source
from scrapers.scrape import KnownPage, ScrapeStats, scrape_sources


@dataclass
class ScrapeReport:
    result: AppendResult = field(default_factory=AppendResult)
    stats: list[ScrapeStats] = field(default_factory=list)

    @property
    def fetched(self) -> int:
        return sum(s.fetched for s in self.stats)


def known_pages(store: RawStore, source: Source) -> dict[str, KnownPage]:
    known = {}
    for uri, (seen_at, headers) in store.known_pages(source.id).items():
        parsed = {k.lower(): v for k, v in json.loads(headers).items()} if headers else {}
        known[uri] = KnownPage(
            fetched_at=seen_at, etag=parsed.get("etag"), last_modified=parsed.get("last-modified")
        )
    return known


def to_raw(page: FetchedPage, source: Source, run_id: str) -> RawPage | Reject:
    """A fetched response as a raw page, or a ``decode_error`` reject when its bytes are no text."""
    digest = sha256_hex(page.body)
    try:
        decoded = decode_bytes(page.body, source.encoding or page.http_charset)
    except DecodeError as exc:
        return Reject(page.url, source.id, "decode_error", str(exc), page.fetched_at, run_id, digest)
    return RawPage(
        page_id=digest,
        source_id=source.id,
        uri=page.url,
        fetched_at=page.fetched_at,
        http_status=page.status,
        http_headers=headers_json(page.headers),
        content_type=page.content_type,
        declared_charset=decoded.declared_charset,
        detected_encoding=decoded.encoding,
        raw_bytes=page.body,
        text=decoded.text,
        run_id=run_id,
    )


def scrape_into_store(
    store: RawStore,
    sources: Sequence[Source],
    fetch_settings: FetchSettings,
    *,
    run_id: str,
    since: date | None = None,
    until: date | None = None,
    batch_size: int = 20,
    progress: Callable[[ScrapeStats], None] | None = None,
) -> ScrapeReport:
    """Scrape ``sources`` side by side (each host at its own polite rate) into ``store``."""
    report = ScrapeReport()
    web_sources = [s for s in sources if s.kind != "files" and s.enabled]

    def on_pages(source: Source, batch: list[FetchedPage]) -> None:
        items = [to_raw(page, source, run_id) for page in batch]
        report.result += store.append(
            [i for i in items if isinstance(i, RawPage)], [i for i in items if isinstance(i, Reject)]
        )

    def on_failures(source: Source, batch: list[FetchFailure]) -> None:
        rejects = [Reject(f.url, source.id, f.reason, f.detail, f.fetched_at, run_id) for f in batch]
        report.result += store.append(rejects=rejects)

    if not web_sources:
        return report
    known = {s.id: known_pages(store, s) for s in web_sources}
    with Fetcher(fetch_settings) as fetcher:
        report.stats = scrape_sources(
            web_sources,
            fetcher,
            known_urls=lambda s: known[s.id],
            since=since,
            until=until,
            on_pages=on_pages,
            on_failures=on_failures,
            batch_size=batch_size,
            progress=progress,
        )
    return report
