"""Per-host politeness from the server's side: request starts never closer than the host's interval,
while different hosts are fetched side by side."""

from __future__ import annotations

import itertools

import pytest

from scrapers.fetch import FetchedPage, Fetcher, FetchRequest
from tests.simweb import FAST, FEED_ADDRESS, LISTING_ADDRESS, TIMING_SLACK, SimResponse, SimWeb
from tests.simweb.server import SimSite

pytestmark = pytest.mark.timing

PAGE = SimResponse(body="<html><body>新闻</body></html>".encode(), headers={"Content-Type": "text/html"})


def _site(sim: SimWeb, name: str, address: str, robots: str = "") -> SimSite:
    site = sim.site(name, address)
    site.add("/robots.txt", SimResponse(body=robots.encode(), headers={"Content-Type": "text/plain"}))
    for n in range(8):
        site.add(f"/p{n}.html", PAGE)
    return site


def _gaps(sim: SimWeb, host: str) -> list[float]:
    arrivals = sorted(e.at for e in sim.log.entries(host))
    return [b - a for a, b in itertools.pairwise(arrivals)]


def test_each_host_keeps_its_rate_while_hosts_run_in_parallel() -> None:
    rate = 10.0
    with SimWeb() as sim, Fetcher(FAST) as fetcher:
        a = _site(sim, "a", LISTING_ADDRESS)
        b = _site(sim, "b", FEED_ADDRESS)
        jobs = [FetchRequest(s.url(f"/p{n}.html"), rate, (s.address,)) for n in range(8) for s in (a, b)]
        results = list(fetcher.fetch_many(jobs))
        assert all(isinstance(r, FetchedPage) for r in results)
        for host in (a.address, b.address):
            assert len(sim.log.entries(host)) == 9  # robots.txt + 8 pages
            assert sim.log.rate_deficit(host, 1 / rate) <= TIMING_SLACK
        # side by side: host b was served before host a finished
        first_b = min(e.at for e in sim.log.entries(b.address))
        last_a = max(e.at for e in sim.log.entries(a.address))
        assert first_b < last_a


def test_robots_crawl_delay_slows_a_host_below_the_source_rate() -> None:
    with SimWeb() as sim, Fetcher(FAST) as fetcher:
        site = _site(sim, "slow", LISTING_ADDRESS, robots="User-agent: *\nCrawl-delay: 0.25\n")
        jobs = [FetchRequest(site.url(f"/p{n}.html"), 20.0, (site.address,)) for n in range(4)]
        assert all(isinstance(r, FetchedPage) for r in fetcher.fetch_many(jobs))
        page_gaps = _gaps(sim, site.address)[1:]  # after robots.txt is known
        assert min(page_gaps) >= 0.25 - TIMING_SLACK
