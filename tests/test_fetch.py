"""The fetcher against a simulated site of faults: each fault retried to success or failed with its reason.

Assertions read the server's request log, so "retried", "never requested" and "waited for
Retry-After" are what the server saw.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scrapers.fetch import FetchedPage, Fetcher, FetchFailure, FetchRequest, FetchSettings, NotModified
from tests.simweb import (
    FAST,
    FAULT_ADDRESS,
    SPARE_ADDRESS,
    TIMING_SLACK,
    UNSERVED_LOOPBACK,
    SimResponse,
    SimWeb,
    fault_site,
)
from tests.simweb.server import SimSite

ATTEMPTS = FAST.max_retries + 1

# path -> (failure reason, requests the server must see for it)
FAILURES = {
    "/always-500.html": ("http_500", ATTEMPTS),
    "/slow.html": ("timeout", ATTEMPTS),
    "/reset.html": ("connection_error", ATTEMPTS),
    "/truncated.html": ("truncated", ATTEMPTS),
    "/to-metadata.html": ("redirect_blocked", 1),
    "/to-other-loopback.html": ("redirect_offsite", 1),
    "/to-file.html": ("redirect_blocked", 1),
    "/loop-a.html": ("redirect_loop", 1),
    "/huge.html": ("too_large", 1),
    "/huge-undeclared.html": ("too_large", 1),
    "/report.pdf": ("not_html", 1),
    "/binary.html": ("decode_error", 1),
    "/missing.html": ("http_404", 1),
    "/private/secret.html": ("robots_disallowed", 0),
}
RECOVERS = ("/flaky-500.html", "/busy-503.html", "/throttle-429.html")


@pytest.fixture(scope="module")
def web() -> Iterator[SimWeb]:
    with SimWeb() as sim:
        fault_site(sim, FAULT_ADDRESS, UNSERVED_LOOPBACK)
        yield sim


@pytest.fixture(scope="module")
def site(web: SimWeb) -> SimSite:
    return web.sites["faults"]


@pytest.fixture(scope="module")
def results(site: SimSite) -> dict[str, object]:
    """Every fault path fetched once, concurrently, by one fetcher."""
    paths = [*FAILURES, *RECOVERS, "/ok.html", "/moved.html"]
    with Fetcher(FAST) as fetcher:
        requests_ = [FetchRequest(site.url(p), 50.0, (FAULT_ADDRESS,)) for p in paths]
        by_url = {r.url: r for r in fetcher.fetch_many(requests_)}
    return {p: by_url[site.url(p)] for p in paths}


@pytest.mark.parametrize("path", list(FAILURES))
def test_fault_fails_with_its_reason_after_the_right_attempts(
    path: str, results: dict[str, object], web: SimWeb, site: SimSite
) -> None:
    reason, attempts = FAILURES[path]
    result = results[path]
    assert isinstance(result, FetchFailure), result
    assert result.reason == reason, result.detail
    assert web.log.paths(site.address).count(path) == attempts


@pytest.mark.timing
@pytest.mark.parametrize("path", RECOVERS)
def test_transient_fault_is_retried_to_success(
    path: str, results: dict[str, object], web: SimWeb, site: SimSite
) -> None:
    result = results[path]
    assert isinstance(result, FetchedPage), result
    assert result.body == results["/ok.html"].body
    arrivals = [e.at for e in web.log.entries(site.address) if e.path == path]
    assert len(arrivals) == 2
    if path != "/flaky-500.html":  # these answered Retry-After: 1
        assert arrivals[1] - arrivals[0] >= 1.0 - TIMING_SLACK


def test_blocked_redirect_targets_are_never_contacted(web: SimWeb) -> None:
    assert {e.host for e in web.log.entries()} == {FAULT_ADDRESS}


def test_redirect_inside_domain_is_followed(results: dict[str, object], site: SimSite) -> None:
    moved = results["/moved.html"]
    assert isinstance(moved, FetchedPage)
    assert moved.url == site.url("/moved.html")
    assert moved.final_url == site.url("/ok.html")


def test_robots_is_read_once_and_user_agent_names_a_contact(
    results: dict[str, object], web: SimWeb, site: SimSite
) -> None:
    entries = web.log.entries(site.address)
    assert [e.path for e in entries].count("/robots.txt") == 1
    agents = {e.headers["user-agent"] for e in entries}
    assert agents == {FAST.user_agent}
    assert FAST.contact_url in FAST.user_agent and FAST.bot_name in FAST.user_agent


def test_conditional_get_answers_not_modified(site: SimSite) -> None:
    with Fetcher(FAST) as fetcher:
        first = fetcher.fetch(site.url("/etag.html"), requests_per_second=50, allowed_domains=[FAULT_ADDRESS])
        assert isinstance(first, FetchedPage) and first.etag == '"v1"'
        again = fetcher.fetch(
            site.url("/etag.html"), requests_per_second=50, allowed_domains=[FAULT_ADDRESS], etag=first.etag
        )
    assert isinstance(again, NotModified)


def test_loopback_is_refused_unless_allowed(web: SimWeb, site: SimSite) -> None:
    before = len(web.log.entries())
    strict = FetchSettings(connect_timeout=0.5, read_timeout=0.5, max_retries=0)
    with Fetcher(strict) as fetcher:
        result = fetcher.fetch(site.url("/ok.html"), requests_per_second=50, allowed_domains=[FAULT_ADDRESS])
    assert isinstance(result, FetchFailure) and result.reason == "blocked"
    assert len(web.log.entries()) == before


def test_offsite_url_is_refused_without_a_request(web: SimWeb, site: SimSite) -> None:
    before = len(web.log.entries())
    with Fetcher(FAST) as fetcher:
        result = fetcher.fetch(site.url("/ok.html"), requests_per_second=50, allowed_domains=["example.com"])
    assert isinstance(result, FetchFailure) and result.reason == "offsite"
    assert len(web.log.entries()) == before


def test_unreachable_robots_disallows_the_whole_host() -> None:
    with SimWeb() as sim:
        site = sim.site("robots-down", SPARE_ADDRESS)
        site.add("/robots.txt", SimResponse(503, b"down", {"Content-Type": "text/plain"}))
        site.add("/page.html", SimResponse(body=b"<html>x</html>", headers={"Content-Type": "text/html"}))
        with Fetcher(FAST) as fetcher:
            result = fetcher.fetch(
                site.url("/page.html"), requests_per_second=50, allowed_domains=[SPARE_ADDRESS]
            )
        assert isinstance(result, FetchFailure) and result.reason == "robots_disallowed"
        assert "/page.html" not in sim.log.paths()
