"""The extraction steps in order: unwrap, parse, read metadata, flatten, pick the body, assemble."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from scrapers.article import ExtractedArticle
from scrapers.extraction.blocks import Block, flatten, remove_furniture_tags
from scrapers.extraction.body import assemble, select_lines
from scrapers.extraction.config import (
    BYLINE_SEARCH,
    CONTEXT_AFTER,
    CONTEXT_BEFORE,
    HEADING_SEARCH,
    HEADLINE_SEARCH,
    MAX_HEADLINE_CHARS,
    MAX_LINK_DENSITY,
    MIN_BODY_PROSE_CHARS,
    MIN_TITLE_CHARS,
    NOISE_LINES,
    SUBTITLE_SEARCH,
)
from scrapers.extraction.content import best_container, is_prose
from scrapers.extraction.dates import (
    DATE_IN_TEXT,
    date_from_json_ld,
    date_from_meta,
    date_from_url,
    parse_date_text,
)
from scrapers.extraction.document import parse_html, unwrap_cleaneval
from scrapers.extraction.metadata import (
    choose_title,
    find_authors,
    meta_content,
    page_title,
    site_name,
)
from scrapers.extraction.multi import article_containers

EXTRACTOR_VERSION = "1.0.0"
_WHITESPACE = re.compile(r"\s+")


def title_position(blocks: list[Block], title: str | None) -> int | None:
    """Index of the headline block: a heading with the title's text, else any unlinked block with it
    (the same words as a link are a teaser or a breadcrumb, not the headline)."""
    if not title:
        return None
    wanted = _WHITESPACE.sub("", title)
    plain = None
    for i, block in enumerate(blocks):
        # A block's compacted text never has more than block.chars characters.
        if (
            block.link_density < MAX_LINK_DENSITY
            and block.chars >= len(wanted)
            and _WHITESPACE.sub("", block.text) == wanted
        ):
            if block.heading:
                return i
            plain = i if plain is None else plain
    return plain


def _canonical_url(root: etree._Element, envelope_url: str | None, url: str | None) -> str | None:
    if envelope_url:
        return envelope_url
    for link in root.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            return link.get("href").strip()
    return meta_content(root, "og:url") or url


def _context(blocks: list[Block], first: int, last: int) -> list[Block]:
    """Lines near the body, nearest first above it, then the body's own edges, then below it."""
    before = blocks[max(0, first - CONTEXT_BEFORE) : first][::-1]
    edges = blocks[first : first + 2] + blocks[max(first, last - 2) : last + 1]
    after = blocks[last + 1 : last + 1 + CONTEXT_AFTER]
    return before + edges + after


def _under_headline(blocks: list[Block], title_at: int, first: int) -> list[Block]:
    """The few lines between the headline and the text, where an unlabelled byline may stand."""
    return [b for b in blocks[max(title_at + 1, first - BYLINE_SEARCH) : first] if not b.heading]


def _date_from_lines(lines: list[Block]) -> datetime | None:
    for block in lines:
        found = parse_date_text(block.text) if DATE_IN_TEXT.search(block.text) else None
        if found:
            return found
    return None


def extract_html(html: str, url: str | None = None) -> list[ExtractedArticle]:
    """Articles on the page (usually one; none for pages without article text)."""
    inner, envelope = unwrap_cleaneval(html)
    root = parse_html(inner)
    raw_title = page_title(root) or (envelope.title if envelope else None)
    og_title = meta_content(root, "og:title")
    canonical = _canonical_url(root, envelope.url if envelope else None, url)
    meta_date = date_from_meta(root) or date_from_json_ld(root)
    site = site_name(root, raw_title)

    remove_furniture_tags(root)
    # The whole tree, not <body>: broken pages get their content parsed into <head>.
    blocks, spans = flatten(root)
    headings = [b.text for b in blocks if b.heading]
    title = choose_title(raw_title, og_title, headings)
    title_at = title_position(blocks, title)
    top = best_container(blocks, spans, title_at)
    if top is None:
        return []
    containers = [top] if title_at is not None else article_containers(top, blocks, spans)
    page = PageFacts(
        title, title_at if title_at is not None else len(blocks), site, canonical, meta_date, url, raw_title
    )
    if len(containers) == 1:
        article = _article(blocks, spans, top, page)
        return [article] if article else []
    # Several articles: each has its own headline just above it; page-wide metadata is not theirs.
    articles: list[ExtractedArticle] = []
    for container in containers:
        start = spans[container][0]
        headline_at = _headline_above(blocks, start)
        own_title = blocks[headline_at].text if headline_at is not None else title
        own_at = headline_at if headline_at is not None else start - 1
        own = PageFacts(own_title, own_at, site, canonical, None, None, None)
        article = _article(blocks, spans, container, own)
        if article and all(article.body_text != seen.body_text for seen in articles):
            articles.append(article)
    return articles


@dataclass
class PageFacts:
    title: str | None
    title_at: int
    site: str | None
    canonical: str | None
    meta_date: datetime | None
    url: str | None
    page_title: str | None


def _heading_above(blocks: list[Block], first: int) -> int | None:
    for i in range(first - 1, max(-1, first - HEADING_SEARCH - 1), -1):
        block = blocks[i]
        if block.heading and block.link_density < MAX_LINK_DENSITY and block.chars >= MIN_TITLE_CHARS:
            return i
    return None


def _subtitle(
    blocks: list[Block], title_at: int, first: int, page_title: str | None, title: str | None
) -> str | None:
    """A highlight line right under the headline: a heading, a "——" line, or words the <title>
    adds after the headline ("...纾困预计4年为纳税人减负180亿元_网站")."""
    compact_title = _WHITESPACE.sub("", page_title or "")
    for block in blocks[title_at + 1 : min(first, title_at + 1 + SUBTITLE_SEARCH)]:
        text = block.text
        if DATE_IN_TEXT.search(text) or block.link_density > 0 or block.chars > MAX_HEADLINE_CHARS:
            continue
        if text == title or NOISE_LINES.search(text):
            continue
        if block.heading or text.startswith(("——", "—", "--")) or _WHITESPACE.sub("", text) in compact_title:
            return text
    return None


def _headline_above(blocks: list[Block], start: int) -> int | None:
    """The nearest short, unlinked, undated line above an article (its headline)."""
    for i in range(start - 1, max(-1, start - HEADLINE_SEARCH - 1), -1):
        block = blocks[i]
        if DATE_IN_TEXT.search(block.text) or block.link_density >= MAX_LINK_DENSITY:
            continue
        if block.heading or (block.chars <= MAX_HEADLINE_CHARS and "。" not in block.text):
            return i
    return None


def _article(
    blocks: list[Block],
    spans: dict[etree._Element, tuple[int, int]],
    container: etree._Element,
    page: PageFacts,
) -> ExtractedArticle | None:
    start, end = spans[container]
    lines = select_lines(blocks[start:end], container, page.title)
    if sum(b.chars for b in lines if is_prose(b)) < MIN_BODY_PROSE_CHARS:
        return None
    body = assemble(lines)
    # Positions of the first and last kept blocks (the same objects as in blocks[start:end]).
    first = next(i for i in range(start, end) if blocks[i] is lines[0])
    last = next(i for i in range(end - 1, start - 1, -1) if blocks[i] is lines[-1])
    context = _context(blocks, first, last)
    title, title_at = page.title, page.title_at
    if title_at >= first:  # the <title> names no headline on the page: take the heading above the text
        heading_at = _heading_above(blocks, first)
        if heading_at is not None:
            title, title_at = blocks[heading_at].text, heading_at
    published = (
        page.meta_date
        or _date_from_lines(blocks[title_at + 1 : first])
        or _date_from_lines(context)
        or date_from_url(page.canonical)
        or date_from_url(page.url)
    )
    return ExtractedArticle(
        title=title,
        body_text=body.text,
        subtitle=_subtitle(blocks, title_at, first, page.page_title, title),
        authors=find_authors(body.credits, context, DATE_IN_TEXT, _under_headline(blocks, title_at, first)),
        credits=body.credits,
        published_at=published,
        site_name=page.site,
        canonical_url=page.canonical,
        sections=body.sections,
        links=body.links,
    )
