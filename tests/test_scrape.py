"""Whole scrape runs over three simulated sites built from real corpus pages, judged by the server's log."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from scrapers.encoding import decode_bytes
from scrapers.fetch import FetchedPage, Fetcher, FetchFailure
from scrapers.scrape import KnownPage, ScrapeStats, scrape_source, scrape_sources
from tests.simweb import (
    FAST,
    FEED_ADDRESS,
    LISTING_ADDRESS,
    SITEMAP_ADDRESS,
    TIMING_SLACK,
    SimWeb,
    SiteSpec,
    feed_site,
    listing_site,
    sitemap_site,
)

RATE = 10.0


class Sink:
    """What a raw-store writer would receive: batches of pages and of failures."""

    def __init__(self) -> None:
        self.page_batches: list[list[FetchedPage]] = []
        self.failure_batches: list[list[FetchFailure]] = []

    @property
    def pages(self) -> list[FetchedPage]:
        return [p for batch in self.page_batches for p in batch]

    @property
    def failures(self) -> list[FetchFailure]:
        return [f for batch in self.failure_batches for f in batch]


@pytest.fixture
def web() -> Iterator[tuple[SimWeb, list[SiteSpec]]]:
    with SimWeb() as sim:
        specs = [
            listing_site(sim, LISTING_ADDRESS, rate=RATE),
            feed_site(sim, FEED_ADDRESS, rate=RATE),
            sitemap_site(sim, SITEMAP_ADDRESS, rate=RATE),
        ]
        yield sim, specs


def _run(spec: SiteSpec, fetcher: Fetcher, sink: Sink, **kwargs: object) -> ScrapeStats:
    known = kwargs.pop("known_urls", set())
    return scrape_source(
        spec.source,
        fetcher,
        known_urls=known,
        on_pages=sink.page_batches.append,
        on_failures=sink.failure_batches.append,
        **kwargs,
    )


def _path(url: str) -> str:
    return urlsplit(url).path


@pytest.mark.timing
def test_full_run_fetches_every_allowed_article_once_and_politely(web: tuple[SimWeb, list[SiteSpec]]) -> None:
    sim, specs = web
    sink = Sink()
    with Fetcher(FAST) as fetcher:
        stats = scrape_sources(
            [s.source for s in specs],
            fetcher,
            known_urls=lambda _source: set(),
            on_pages=lambda _source, batch: sink.page_batches.append(batch),
            on_failures=lambda _source, batch: sink.failure_batches.append(batch),
            batch_size=3,
        )
    for spec in specs:
        served = Counter(sim.log.paths(spec.site.address))
        handed = {_path(p.url): p for p in sink.pages if urlsplit(p.url).hostname == spec.site.address}
        assert set(handed) == set(spec.articles), spec.source.id
        for path, body in spec.articles.items():
            assert handed[path].body == body
            # transient faults on the feed site cost one extra request each, everything else exactly one
            assert served[path] == (
                2 if spec.source.kind == "rss" and path.endswith(("/1.html", "/2.html")) else 1
            )
        for path in spec.forbidden:
            assert served[path] == 0
        assert served["/robots.txt"] <= 1
        assert sim.log.rate_deficit(spec.site.address, 1 / RATE) <= TIMING_SLACK
    assert len(sink.pages) == len({p.url for p in sink.pages})
    assert all(len(batch) <= 3 for batch in sink.page_batches)
    assert {f.reason for f in sink.failures} == {"robots_disallowed"}
    assert sum(s.skipped_out_of_scope for s in stats) == 2  # listing /about.html, feed's offsite item


def test_gbk_pages_behind_a_lying_header_are_recognised(web: tuple[SimWeb, list[SiteSpec]]) -> None:
    _sim, specs = web
    sink = Sink()
    with Fetcher(FAST) as fetcher:
        _run(specs[0], fetcher, sink)
    assert sink.pages
    for page in sink.pages:
        assert page.http_charset == "utf-8"
        assert page.encoding == "gb18030"
        assert "\ufffd" not in decode_bytes(page.body, page.http_charset).text


def test_second_run_with_known_urls_fetches_nothing_new(web: tuple[SimWeb, list[SiteSpec]]) -> None:
    sim, specs = web
    with Fetcher(FAST) as fetcher:
        first = Sink()
        for spec in specs:
            _run(spec, fetcher, first)
        known = {p.url for p in first.pages}
        sim.log.clear()
        second = Sink()
        stats = [_run(spec, fetcher, second, known_urls=known) for spec in specs]
    assert second.pages == []
    assert sum(s.skipped_known for s in stats) >= len(known) - len(specs[0].articles) + 2
    listing, feed, sitemap = specs
    # the listing stops at its first page: it already holds a known article
    assert sim.log.paths(listing.site.address) == ["/news/index.html"]
    assert sim.log.paths(feed.site.address) == ["/rss.xml"]
    assert set(sim.log.paths(sitemap.site.address)) == {
        "/sitemap_index.xml",
        "/sitemaps/2024-05.xml",
        "/sitemaps/2024-04.xml",
    }


def test_backfill_window_reads_only_what_it_needs(web: tuple[SimWeb, list[SiteSpec]]) -> None:
    sim, specs = web
    listing, _feed, sitemap = specs
    sink = Sink()
    with Fetcher(FAST) as fetcher:
        _run(listing, fetcher, sink, since=date(2024, 5, 9), until=date(2024, 5, 9))
        _run(sitemap, fetcher, sink, since=date(2024, 5, 1))
    fetched = {_path(p.url) for p in sink.pages}
    in_window_listing = {p for p, d in listing.article_dates.items() if d == date(2024, 5, 9)}
    in_window_sitemap = {p for p, d in sitemap.article_dates.items() if d >= date(2024, 5, 1)}
    assert fetched == in_window_listing | in_window_sitemap
    # page 2 of the listing is all older than the window: page 3 is never read
    assert "/news/index_3.html" not in sim.log.paths(listing.site.address)
    # the April sitemap was last modified before the window: never read
    assert "/sitemaps/2024-04.xml" not in sim.log.paths(sitemap.site.address)


def test_page_budget_and_batches(web: tuple[SimWeb, list[SiteSpec]]) -> None:
    sim, specs = web
    listing = specs[0]
    source = listing.source.model_copy(update={"max_pages_per_run": 3})
    sink = Sink()
    with Fetcher(FAST) as fetcher:
        stats = scrape_source(
            source,
            fetcher,
            known_urls=set(),
            on_pages=sink.page_batches.append,
            on_failures=sink.failure_batches.append,
            batch_size=2,
        )
    article_requests = [p for p in sim.log.paths(listing.site.address) if p in listing.articles]
    assert len(article_requests) == 2  # the 3rd slot went to the robots-disallowed link
    assert stats.fetched == 2 and stats.failed == 1
    assert [len(b) for b in sink.page_batches] == [2]
    assert len(sink.page_batches) == math.ceil(stats.fetched / 2)


def test_revisit_policy_refetches_only_stale_pages(web: tuple[SimWeb, list[SiteSpec]]) -> None:
    sim, specs = web
    sitemap = specs[2]
    source = sitemap.source.model_copy(update={"revisit": "daily"})
    now = datetime.now(UTC)
    paths = sorted(sitemap.articles)
    known = {sitemap.site.url(p): KnownPage(fetched_at=now - timedelta(hours=1)) for p in paths}
    stale = paths[0]
    known[sitemap.site.url(stale)] = KnownPage(fetched_at=now - timedelta(days=2))
    sink = Sink()
    with Fetcher(FAST) as fetcher:
        stats = scrape_source(
            source,
            fetcher,
            known_urls=known,
            on_pages=sink.page_batches.append,
            on_failures=sink.failure_batches.append,
        )
    assert [_path(p.url) for p in sink.pages] == [stale]
    assert stats.skipped_known == len(paths) - 1
    assert [p for p in sim.log.paths(sitemap.site.address) if p in sitemap.articles] == [stale]
