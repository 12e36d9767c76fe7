"""One scrape run of a source: discovery feeding polite fetches, results handed over in small batches.

The loop never writes to storage itself: the caller's callbacks do, batch by batch as pages arrive,
so a killed run loses at most the batch in flight, and the same loop serves the Prefect flow, the
CLI and the tests. Callbacks run on the caller's thread, one at a time, even when
``scrape_sources`` runs many sources at once, so a DuckDB writer needs no locking of its own.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from scrapers.discovery import Candidate, Window, discover
from scrapers.fetch import FetchedPage, Fetcher, FetchFailure, FetchResult, NotModified
from scrapers.registry import Source
from scrapers.urls import host_of, in_domains, normalize_url, scope_domains

# How old a stored copy may be before the source's revisit policy fetches it again.
REVISIT_AFTER = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
# Seconds of response latency one in-flight request per host is sized for.
_EXPECTED_LATENCY = 2.0


@dataclass(frozen=True)
class KnownPage:
    """What the raw store knows of a URL: enough for revisit decisions and a conditional GET."""

    fetched_at: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class ScrapeStats:
    source_id: str
    discovered: int = 0
    skipped_known: int = 0
    skipped_out_of_scope: int = 0
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    discovery_failures: int = 0
    failure_reasons: dict[str, int] = field(default_factory=dict)
    elapsed_seconds: float = 0.0


PagesCallback = Callable[[list[FetchedPage]], None]
FailuresCallback = Callable[[list[FetchFailure]], None]
ProgressCallback = Callable[[ScrapeStats], None]
SourcePagesCallback = Callable[[Source, list[FetchedPage]], None]
SourceFailuresCallback = Callable[[Source, list[FetchFailure]], None]


def scrape_source(
    source: Source,
    fetcher: Fetcher,
    *,
    known_urls: Iterable[str] | Mapping[str, KnownPage],
    since: date | None = None,
    until: date | None = None,
    on_pages: PagesCallback,
    on_failures: FailuresCallback,
    batch_size: int = 20,
    progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
) -> ScrapeStats:
    """Discover and fetch the new articles of one web source.

    ``known_urls`` are URLs already stored (normalised here); with a mapping, the revisit policy
    can refetch stale ones with a conditional GET. ``stop`` ends the run early but cleanly: pages
    already fetched are still handed over.
    """
    run = _Run(source, fetcher, _known_map(known_urls), on_pages, on_failures, batch_size, progress)
    started = time.monotonic()
    window = Window(since, until)
    workers = max(
        2, min(fetcher.settings.max_workers, math.ceil(source.requests_per_second * _EXPECTED_LATENCY))
    )
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"scrape-{source.id}") as pool:
        in_flight: set[Future[FetchResult]] = set()
        candidates = discover(
            source, fetcher, known=run.known, window=window, on_failure=run.discovery_failed
        )
        for candidate in candidates:
            if (stop and stop.is_set()) or run.budget_spent():
                break
            job = run.plan(candidate)
            if job is None:
                continue
            url, known = job
            in_flight.add(pool.submit(run.fetch, url, known))
            while len(in_flight) >= workers * 2:
                done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                run.collect(done)
        while in_flight:
            done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            run.collect(done)
    run.flush()
    run.stats.elapsed_seconds = time.monotonic() - started
    return run.stats


def scrape_sources(
    sources: Iterable[Source],
    fetcher: Fetcher,
    *,
    known_urls: Callable[[Source], Iterable[str] | Mapping[str, KnownPage]],
    since: date | None = None,
    until: date | None = None,
    on_pages: SourcePagesCallback,
    on_failures: SourceFailuresCallback,
    batch_size: int = 20,
    max_parallel_sources: int = 32,
    stop: threading.Event | None = None,
    progress: ProgressCallback | None = None,
) -> list[ScrapeStats]:
    """Scrape many sources at once: each host keeps its own rate, so hosts run side by side.

    Callbacks get the source with each batch (two sources may share a host) and are serialised
    with one lock, so the caller sees one batch at a time.
    """
    lock = threading.Lock()

    def serial(callback: Callable[..., None], *bound: Any) -> Callable[[Any], None]:
        def call(batch: Any) -> None:
            with lock:
                callback(*bound, batch)

        return call

    def one(source: Source) -> ScrapeStats:
        return scrape_source(
            source,
            fetcher,
            known_urls=known_urls(source),
            since=since,
            until=until,
            on_pages=serial(on_pages, source),
            on_failures=serial(on_failures, source),
            batch_size=batch_size,
            stop=stop,
            progress=serial(progress) if progress else None,
        )

    web_sources = [s for s in sources if s.kind != "files" and s.enabled]
    with ThreadPoolExecutor(max_workers=max(1, min(max_parallel_sources, len(web_sources)))) as pool:
        return list(pool.map(one, web_sources))


class _Run:
    """Bookkeeping of one source's run: de-duplication, budget, batches and stats."""

    def __init__(
        self,
        source: Source,
        fetcher: Fetcher,
        known: dict[str, KnownPage],
        on_pages: PagesCallback,
        on_failures: FailuresCallback,
        batch_size: int,
        progress: ProgressCallback | None,
    ) -> None:
        self.source = source
        self.fetcher = fetcher
        self.known = known
        self.scope = scope_domains(source.allowed_domains, source.start_urls)
        self.pattern = re.compile(source.article_url_pattern) if source.article_url_pattern else None
        self.on_pages = on_pages
        self.on_failures = on_failures
        self.batch_size = max(1, batch_size)
        self.progress = progress
        self.stats = ScrapeStats(source.id)
        self.seen: set[str] = set()
        self.submitted = 0
        self.pages: list[FetchedPage] = []
        self.failures: list[FetchFailure] = []

    def budget_spent(self) -> bool:
        return self.submitted >= self.source.max_pages_per_run

    def plan(self, candidate: Candidate) -> tuple[str, KnownPage | None] | None:
        """The URL to fetch for a candidate (with what is known of it), or None to skip it."""
        url = candidate.url
        if url in self.seen:
            return None
        self.seen.add(url)
        self.stats.discovered += 1
        if not in_domains(host_of(url), self.scope) or (self.pattern and not self.pattern.search(url)):
            self.stats.skipped_out_of_scope += 1
            return None
        known = self.known.get(url)
        if url in self.known and not self._due(known):
            self.stats.skipped_known += 1
            return None
        self.submitted += 1
        return url, known

    def _due(self, known: KnownPage | None) -> bool:
        policy = self.source.revisit
        if policy == "always":
            return True
        if policy == "never" or known is None or known.fetched_at is None:
            return False
        return datetime.now(UTC) - known.fetched_at >= REVISIT_AFTER[policy]

    def fetch(self, url: str, known: KnownPage | None) -> FetchResult:
        return self.fetcher.fetch(
            url,
            requests_per_second=self.source.requests_per_second,
            allowed_domains=self.scope,
            expect="html",
            etag=known.etag if known else None,
            last_modified=known.last_modified if known else None,
        )

    def discovery_failed(self, failure: FetchFailure) -> None:
        self.stats.discovery_failures += 1
        self._fail(failure)

    def collect(self, done: Iterable[Future[FetchResult]]) -> None:
        for future in done:
            result = future.result()
            if isinstance(result, FetchedPage):
                self.stats.fetched += 1
                self.pages.append(result)
                if len(self.pages) >= self.batch_size:
                    self._flush_pages()
            elif isinstance(result, NotModified):
                self.stats.not_modified += 1
            else:
                self.stats.failed += 1
                self._fail(result)
            if self.progress:
                self.progress(self.stats)

    def _fail(self, failure: FetchFailure) -> None:
        self.stats.failure_reasons[failure.reason] = self.stats.failure_reasons.get(failure.reason, 0) + 1
        self.failures.append(failure)
        if len(self.failures) >= self.batch_size:
            self._flush_failures()

    def flush(self) -> None:
        self._flush_pages()
        self._flush_failures()

    def _flush_pages(self) -> None:
        if self.pages:
            batch, self.pages = self.pages, []
            self.on_pages(batch)

    def _flush_failures(self) -> None:
        if self.failures:
            batch, self.failures = self.failures, []
            self.on_failures(batch)


def _known_map(known_urls: Iterable[str] | Mapping[str, KnownPage]) -> dict[str, KnownPage]:
    """Known URLs keyed by their normalised form, so stored and discovered spellings meet."""
    if isinstance(known_urls, Mapping):
        items = known_urls.items()
    else:
        items = ((url, KnownPage()) for url in known_urls)
    return {normalized: page for url, page in items if (normalized := normalize_url(url))}
