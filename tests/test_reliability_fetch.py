"""Scraping a faulty web loses nothing: every article is staged once or rejected with its reason.

The scaled corpus (``bench/make_corpus.py``) is served by one simulated site per source, and a
fifth of the article URLs misbehave: some recover when retried (500, 503 with Retry-After, 429,
connection reset, truncated body), some never do (404, reset, too slow, truncated, not HTML, too
large, binary). The scrape writes into a real ``raw.duckdb``; the test compares it with the truth
the fault schedule implies, byte for byte, then scrapes again and expects nothing new.

200 articles by default; ``RNW_RELIABILITY=full`` fetches 1,000.
"""

from __future__ import annotations

import dataclasses
import os
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest

from bench.make_corpus import ServedSource, generate, serve_corpus
from rnw.rawstore import RawStore
from rnw.scrape import scrape_into_store
from tests.simweb import FAST, SimResponse, SimWeb, sequence
from tests.simweb.server import Route

pytestmark = pytest.mark.reliability

FULL = os.environ.get("RNW_RELIABILITY") == "full"
ARTICLES = 1000 if FULL else 200
FAULT_SHARE = 0.2
SEED = 11
# FAST's timeouts, with a read timeout that a loaded 2-core box still meets for a healthy page.
SETTINGS = dataclasses.replace(FAST, read_timeout=1.0, max_fetch_seconds=5.0)
SLOW = SETTINGS.read_timeout * 2.5
TEXT = {"Content-Type": "text/plain"}

# Faults that a retry gets past: the article must be staged, intact.
TRANSIENT = ("500-then-ok", "503-retry-after-then-ok", "429-then-ok", "reset-then-ok", "truncated-then-ok")
# Faults that never clear, with the reason the rejects row must carry.
PERMANENT = {
    "404": "http_404",
    "always-500": "http_500",
    "always-reset": "connection_error",
    "slow": "timeout",
    "always-truncated": "truncated",
    "pdf": "not_html",
    "huge": "too_large",
    "binary": "decode_error",
}


def faulty(kind: str, ok: Route) -> Route:
    """The route for an article with fault ``kind``; ``ok`` answers the real page."""
    good = ok({})
    broken = {
        "500": SimResponse(500, b"oops", TEXT),
        "503-retry-after": SimResponse(503, b"busy", {**TEXT, "Retry-After": "1"}),
        "429": SimResponse(429, b"slow down", TEXT),
        "reset": SimResponse(fault="reset"),
        "truncated": SimResponse(body=good.body, headers=good.headers, fault="truncate"),
    }
    if kind.endswith("-then-ok"):
        return sequence(broken[kind.removesuffix("-then-ok")], good)
    return {
        "404": lambda _h: SimResponse(404, b"not found", TEXT),
        "always-500": lambda _h: broken["500"],
        "always-reset": lambda _h: broken["reset"],
        "slow": lambda _h: SimResponse(body=good.body, headers=good.headers, delay=SLOW),
        "always-truncated": lambda _h: broken["truncated"],
        "pdf": lambda _h: SimResponse(
            body=b"%PDF-1.4\n" + good.body, headers={"Content-Type": "application/pdf"}
        ),
        "huge": lambda _h: SimResponse(headers=good.headers, stream_length=SETTINGS.max_bytes * 2),
        "binary": lambda _h: SimResponse(body=bytes(range(256)) * 64, headers=good.headers),
    }[kind]


class Schedule:
    """Which served path gets which fault: a fixed share of articles, drawn from a seeded generator.

    Discovery pages (listings, sitemaps, the feed) fail too, but only transiently: a listing
    that never loads hides its articles, and "lost" would then be undecidable.
    """

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.faults: dict[str, str] = {}

    def wrap(self, path: str, ok: Route) -> Route:
        is_article = path.endswith(".html") and not path.startswith("/news/index")
        if self.rng.random() >= FAULT_SHARE:
            return ok
        kind = self.rng.choice((*TRANSIENT, *PERMANENT) if is_article else ("500-then-ok", "429-then-ok"))
        if is_article:
            self.faults[path] = kind
        return faulty(kind, ok)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    generate(out, ARTICLES, seed=SEED)
    return out


@pytest.fixture(scope="module")
def web(corpus: Path) -> Iterator[tuple[list[ServedSource], Schedule]]:
    schedule = Schedule(SEED)
    with SimWeb() as sim:
        yield serve_corpus(sim, corpus, wrap=schedule.wrap), schedule


def _stored(raw: Path) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]], int]:
    con = duckdb.connect(str(raw), read_only=True)
    try:
        pages = con.execute("SELECT source_id, uri, page_id FROM pages").fetchall()
        rejects = con.execute("SELECT source_id, uri, reason FROM rejects").fetchall()
        sightings = con.execute("SELECT count(*) FROM page_sightings").fetchone()[0]
    finally:
        con.close()
    return pages, rejects, sightings


def test_faulty_web_loses_nothing_duplicates_nothing_and_rerun_adds_nothing(
    tmp_path: Path, corpus: Path, web: tuple[list[ServedSource], Schedule]
) -> None:
    served, schedule = web
    faults = Counter(schedule.faults.values())
    assert sum(faults.values()) >= ARTICLES * FAULT_SHARE / 2, "the schedule must actually inject faults"
    assert set(faults) & set(TRANSIENT) and set(faults) & set(PERMANENT), faults
    expected_pages = {
        (s.source.id, e.url_path): e.sha256
        for s in served
        for e in s.pages
        if schedule.faults.get(e.url_path) not in PERMANENT
    }
    expected_rejects = {
        (s.source.id, e.url_path): PERMANENT[kind]
        for s in served
        for e in s.pages
        if (kind := schedule.faults.get(e.url_path)) in PERMANENT
    }
    assert len(expected_pages) + len(expected_rejects) == ARTICLES

    store = RawStore(tmp_path / "raw.duckdb")
    first = scrape_into_store(store, [s.source for s in served], SETTINGS, run_id="run-1")
    pages, rejects, sightings = _stored(store.path)

    staged = {(source, urlsplit(uri).path): page_id for source, uri, page_id in pages}
    assert len(pages) == len(staged) == sightings, "no article staged twice"
    missing = expected_pages.keys() - staged.keys()
    assert not missing, f"{len(missing)} recoverable articles lost, e.g. {sorted(missing)[:3]}"
    assert staged == expected_pages, "staged bytes must be the served page, whole (no truncated body kept)"
    rejected = {(source, urlsplit(uri).path): reason for source, uri, reason in rejects}
    assert len(rejected) == len(rejects), "one rejects row per failed article"
    assert rejected == expected_rejects, "every permanent failure, and only those, rejected with its reason"
    assert first.result.pages_new == len(expected_pages)

    second = scrape_into_store(store, [s.source for s in served], SETTINGS, run_id="run-2")
    assert second.result.pages_new == 0 and second.result.rejects_new == 0, second.result
    assert _stored(store.path) == (pages, rejects, sightings)
