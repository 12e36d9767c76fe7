"""Finding article URLs: RSS/Atom feeds, XML sitemaps (and their indexes), paginated listing pages.

Parsers are pure functions of bytes so they can be tested on stored pages; ``discover`` walks a
source through the fetcher and decides when to stop, because the stop conditions (a URL we already
have, a date older than the backfill window, the page budget) are what keep a daily run to a few
requests instead of re-reading a site's whole archive.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from bs4 import BeautifulSoup
from lxml import etree

from scrapers.encoding import DecodeError, decode_bytes
from scrapers.fetch import FetchedPage, Fetcher, FetchFailure
from scrapers.registry import ListingSelectors, Source
from scrapers.urls import extract_date, host_of, in_domains, normalize_url, scope_domains

# Listing pages, feeds and sitemaps read per run; the article budget is the source's max_pages_per_run.
MAX_DISCOVERY_PAGES = 200
# An incremental listing walk stops after a page where at least this share of article links is known.
KNOWN_SHARE_TO_STOP = 0.5
# A gzipped sitemap may expand to at most this (the sitemaps protocol caps files at 50 MB).
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
# Elements whose text carries the date of the link inside them on listing pages.
_LISTING_ROW_TAGS = ("li", "tr", "dd", "dt", "article", "p", "div")


@dataclass(frozen=True)
class Candidate:
    """An article URL found by discovery, with its date when the feed/sitemap/listing tells it."""

    url: str
    published: date | None
    found_on: str


@dataclass(frozen=True)
class Window:
    """The date range a run wants; either end open. Undated candidates are always inside."""

    since: date | None = None
    until: date | None = None

    def contains(self, day: date | None) -> bool:
        if day is None:
            return True
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)

    def older(self, day: date | None) -> bool:
        return day is not None and self.since is not None and day < self.since


def parse_feed(body: bytes, base_url: str, date_pattern: str | None = None) -> list[Candidate]:
    """Items of an RSS 2.0, RSS 1.0 (RDF) or Atom feed, namespaces ignored."""
    root = _xml_root(body)
    if root is None:
        return []
    candidates = []
    for item in root.iter():
        name = _local(item.tag)
        if name not in ("item", "entry"):
            continue
        link = _feed_link(item)
        url = normalize_url(link, base_url) if link else None
        if not url:
            continue
        stamp = _child_text(item, ("pubDate", "published", "updated", "date", "issued"))
        published = _parse_stamp(stamp) or extract_date(url, date_pattern)
        candidates.append(Candidate(url, published, base_url))
    return candidates


def parse_sitemap(
    body: bytes, base_url: str, date_pattern: str | None = None
) -> tuple[bool, list[Candidate]]:
    """``(is_index, entries)``: child sitemaps of an index, or page URLs of a urlset, with lastmod."""
    if body[:2] == b"\x1f\x8b":
        body = _gunzip(body)
    root = _xml_root(body)
    if root is None:
        return False, []
    is_index = _local(root.tag) == "sitemapindex"
    entries = []
    for node in root:
        if _local(node.tag) not in ("url", "sitemap"):
            continue
        loc = _child_text(node, ("loc",))
        url = normalize_url(loc, base_url) if loc else None
        if not url:
            continue
        lastmod = _parse_stamp(_child_text(node, ("lastmod",)))
        published = lastmod if is_index else extract_date(url, date_pattern) or lastmod
        entries.append(Candidate(url, published, base_url))
    return is_index, entries


def parse_listing(
    html: str, base_url: str, selectors: ListingSelectors, date_pattern: str | None = None
) -> tuple[list[Candidate], str | None]:
    """Article links of one listing page and the URL of the next page, if any.

    A link's date comes from its URL, else from the text of the row around it (the
    ``<li><a>title</a><span>2024-05-10</span></li>`` shape most CMS listings use).
    """
    soup = BeautifulSoup(html, "lxml")
    candidates = []
    for anchor in soup.select(selectors.article_links):
        href = anchor.get("href")
        url = normalize_url(str(href), base_url) if href else None
        if not url:
            continue
        published = extract_date(url, date_pattern) or extract_date(_row_text(anchor), date_pattern)
        candidates.append(Candidate(url, published, base_url))
    next_url = None
    if selectors.next_page:
        node = soup.select_one(selectors.next_page)
        href = node.get("href") if node is not None else None
        next_url = normalize_url(str(href), base_url) if href else None
    return candidates, next_url


def discover(
    source: Source,
    fetcher: Fetcher,
    *,
    known: Container[str],
    window: Window,
    on_failure: Callable[[FetchFailure], None],
) -> Iterator[Candidate]:
    """Yield candidate article URLs of ``source`` lazily, newest pages first, until a stop condition.

    Lazy on purpose: the caller fetches articles while discovery continues, and stops pulling
    when its article budget is spent, which also stops further listing pages from being read.
    """
    state = _Walk(source, fetcher, on_failure)
    for start in source.start_urls:
        url = normalize_url(start)
        if url is None:
            continue
        if source.kind == "rss":
            yield from _from_feed(state, url, window)
        elif source.kind == "sitemap":
            yield from _from_sitemap(state, url, window)
        elif source.kind == "listing":
            yield from _from_listing(state, url, known, window)


@dataclass
class _Walk:
    """Shared state of one discovery walk: the page budget and the fetch settings of the source."""

    source: Source
    fetcher: Fetcher
    on_failure: Callable[[FetchFailure], None]
    pages_read: int = 0

    @property
    def scope(self) -> list[str]:
        return scope_domains(self.source.allowed_domains, self.source.start_urls)

    def fetch(self, url: str, expect: str) -> FetchedPage | None:
        if self.pages_read >= MAX_DISCOVERY_PAGES:
            return None
        self.pages_read += 1
        result = self.fetcher.fetch(
            url,
            requests_per_second=self.source.requests_per_second,
            allowed_domains=self.scope,
            expect=expect,  # type: ignore[arg-type]
        )
        if isinstance(result, FetchFailure):
            self.on_failure(result)
            return None
        return result if isinstance(result, FetchedPage) else None

    def relevant(self, url: str) -> bool:
        """Whether the scrape loop would fetch ``url`` as an article (in scope, matching the pattern)."""
        pattern = self.source.article_url_pattern
        return in_domains(host_of(url), self.scope) and (not pattern or re.search(pattern, url) is not None)

    def text(self, page: FetchedPage) -> str | None:
        """Page text in the source's configured encoding, else the encoding the bytes show."""
        if self.source.encoding:
            return page.body.decode(self.source.encoding, "replace")
        try:
            return decode_bytes(page.body, page.http_charset).text
        except DecodeError as exc:
            self.on_failure(FetchFailure(page.url, "decode_error", str(exc)))
            return None


def _from_feed(state: _Walk, url: str, window: Window) -> Iterator[Candidate]:
    page = state.fetch(url, "text")
    if page is None:
        return
    for candidate in parse_feed(page.body, page.final_url, state.source.date_pattern):
        if window.contains(candidate.published):
            yield candidate


def _from_sitemap(state: _Walk, url: str, window: Window) -> Iterator[Candidate]:
    pending = [url]
    visited: set[str] = set()
    while pending:
        current = pending.pop(0)
        if current in visited:
            continue
        visited.add(current)
        page = state.fetch(current, "text")
        if page is None:
            continue
        is_index, entries = parse_sitemap(page.body, page.final_url, state.source.date_pattern)
        if is_index:
            # A child sitemap last changed before the window holds no page inside it.
            newest_first = sorted(entries, key=lambda e: e.published or date.max, reverse=True)
            pending.extend(e.url for e in newest_first if not window.older(e.published))
            continue
        # Newest first, so a page budget that runs out cuts the oldest pages, not the news.
        for candidate in sorted(entries, key=lambda e: (e.published is not None, e.published), reverse=True):
            if window.contains(candidate.published):
                yield candidate


def _from_listing(state: _Walk, url: str, known: Container[str], window: Window) -> Iterator[Candidate]:
    selectors = state.source.listing or ListingSelectors()
    visited: set[str] = set()
    current: str | None = url
    while current and current not in visited:
        visited.add(current)
        page = state.fetch(current, "html")
        text = state.text(page) if page else None
        if text is None:
            return
        candidates, current = parse_listing(text, page.final_url, selectors, state.source.date_pattern)
        for candidate in candidates:
            if window.contains(candidate.published):
                yield candidate
        if _listing_exhausted(candidates, known, window, state.relevant):
            return


def _listing_exhausted(
    candidates: list[Candidate], known: Container[str], window: Window, relevant: Callable[[str], bool]
) -> bool:
    """Whether later (older) listing pages can hold nothing this run wants.

    An incremental run (no ``since``) stops after the first page where most article links are
    stored already: everything after it is older. Not "any known", because listings carry
    sidebars of old popular articles that are always known; not "all known", because a link that
    always fails (robots, 404) is never stored and would make every run read the whole archive.
    Only links the source would fetch count (not navigation). A backfill stops once every dated
    link is before ``since``.
    """
    articles = [c for c in candidates if relevant(c.url)]
    if not articles:
        return True
    if window.since is None:
        return sum(c.url in known for c in articles) >= KNOWN_SHARE_TO_STOP * len(articles)
    dated = [c for c in articles if c.published is not None]
    return bool(dated) and all(window.older(c.published) for c in dated)


def _row_text(anchor: object) -> str:
    for parent in getattr(anchor, "parents", ()):
        if parent.name in _LISTING_ROW_TAGS:
            return parent.get_text(" ", strip=True)[:300]
    return ""


def _xml_root(body: bytes) -> etree._Element | None:
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(body.lstrip(), parser)
    except etree.XMLSyntaxError:
        return None


def _gunzip(body: bytes) -> bytes:
    """Decompress with a cap so a gzip bomb cannot exhaust memory."""
    with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
        return stream.read(MAX_SITEMAP_BYTES)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(node: etree._Element, names: tuple[str, ...]) -> str | None:
    for child in node:
        if _local(child.tag) in names and child.text and child.text.strip():
            return child.text.strip()
    return None


def _feed_link(item: etree._Element) -> str | None:
    """RSS ``<link>text</link>`` or Atom ``<link rel="alternate" href=...>``; guid as a last resort."""
    for child in item:
        if _local(child.tag) != "link":
            continue
        if child.get("href") and child.get("rel", "alternate") == "alternate":
            return child.get("href")
        if child.text and child.text.strip():
            return child.text.strip()
    guid = _child_text(item, ("guid",))
    return guid if guid and guid.startswith("http") else None


_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def _parse_stamp(value: str | None) -> date | None:
    """A day from an RFC 822 (RSS) or ISO 8601 (Atom, sitemap) timestamp."""
    if not value:
        return None
    match = _ISO_DAY.search(value)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return None
    try:
        parsed: datetime = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed.date()
