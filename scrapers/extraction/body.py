"""Turn the chosen container's blocks into article paragraphs, sections, credits and links.

Inside a good container there is still furniture: the headline and dateline above the text, credit
lines, "相关阅读" lists, share bars and copyright below it. Lines are judged one by one, and the first
end-of-article marker after some prose ends the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from scrapers.article import Credit, Section
from scrapers.credits import parse_credit_line, strip_trailing_credits
from scrapers.extraction.blocks import Block
from scrapers.extraction.config import (
    END_MARKERS,
    MAX_CREDIT_LINE_CHARS,
    MAX_HEADING_CHARS,
    MAX_LINK_DENSITY,
    MAX_META_LINE_CHARS,
    MIN_PROSE_CHARS,
    NOISE_LINES,
)
from scrapers.extraction.content import FurnitureTest, is_prose
from scrapers.extraction.dates import DATE_IN_TEXT
from scrapers.extraction.metadata import bare_name, line_credits

PARAGRAPH_SEPARATOR = "\n\n"
_SENTENCE_END = re.compile(r"[。！？!?；;…”」）)：:]$")
_URL_LINE = re.compile(r"^(?:[^\s:：]{0,12}[:：]\s*)?(https?://\S+)$")
# A dateline or byline above the text: short, and naming a date or a source.
_META_LINE = re.compile(r"来源|作者|时间|发布|浏览|点击|阅读|字号|编辑|记者|通讯员")
_WHITESPACE = re.compile(r"\s+")


@dataclass
class Body:
    text: str
    sections: list[Section] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


def _is_meta_line(text: str) -> bool:
    """A dateline or byline: short, no full stop, naming a date or a source."""
    return (
        len(text) <= MAX_META_LINE_CHARS
        and "。" not in text
        and bool(DATE_IN_TEXT.search(text) or _META_LINE.search(text))
    )


def _same_text(a: str, b: str | None) -> bool:
    return bool(b) and _WHITESPACE.sub("", a) == _WHITESPACE.sub("", b)


def select_lines(blocks: list[Block], top: etree._Element, title: str | None) -> list[Block]:
    """Blocks of the container that are article text, in order."""
    kept: list[Block] = []
    seen: set[str] = set()
    seen_prose = False
    in_furniture = FurnitureTest(top)
    for block in blocks:
        text = block.text
        if block.chars >= MIN_PROSE_CHARS and text in seen:
            continue  # pages that print the article twice (screen and print copies)
        if in_furniture(block):
            continue
        if parse_credit_line(text) is not None:
            kept.append(block)  # "责任编辑：X" is furniture to the body but a credit to assemble()
            continue
        if END_MARKERS.search(text) and len(text) < MAX_META_LINE_CHARS:
            if seen_prose:
                break
            continue
        if block.link_density >= MAX_LINK_DENSITY and not _URL_LINE.match(text):
            continue
        if NOISE_LINES.search(text) and len(text) < MAX_META_LINE_CHARS:
            continue
        if not seen_prose:
            if _same_text(text, title) or (block.heading and not is_prose(block)):
                continue
            if _is_meta_line(text):
                continue
        seen_prose = seen_prose or is_prose(block)
        seen.add(text)
        kept.append(block)
    return kept


def _is_heading(block: Block) -> bool:
    return (
        (block.heading or block.emphasised)
        and block.chars <= MAX_HEADING_CHARS
        and not _SENTENCE_END.search(block.text)
    )


def _split_edge_credits(paragraphs: list[Block]) -> tuple[list[Block], list[Credit]]:
    """Bylines in the first or last lines ("本报记者罗科苏盈发自北京", "编辑/倪家宁") are credits."""
    edges = set(range(min(2, len(paragraphs)))) | set(range(max(0, len(paragraphs) - 3), len(paragraphs)))
    kept: list[Block] = []
    credits: list[Credit] = []
    for i, block in enumerate(paragraphs):
        if i in edges and block.chars <= MAX_CREDIT_LINE_CHARS and "。" not in block.text:
            found = line_credits(block.text)
            if found:
                credits.extend(found)
                continue
        kept.append(block)
    return kept, credits


def assemble(lines: list[Block]) -> Body:
    """Join lines into body text: credit lines become credits, link-only lines links, headings
    sections (with offsets into the final text)."""
    credits: list[Credit] = []
    links: list[str] = []
    paragraphs: list[Block] = []
    prose_seen = False  # any(is_prose(p) for p in paragraphs)
    for block in lines:
        if not prose_seen and bare_name(block):
            credits.append(Credit(role="author", name=block.text.strip()))
            continue
        found = parse_credit_line(block.text)
        if found is not None:
            credits.extend(found)
            continue
        url = _URL_LINE.match(block.text)
        if url and block.chars < MAX_META_LINE_CHARS:
            links.append(url.group(1))
            continue
        paragraphs.append(block)
        prose_seen = prose_seen or is_prose(block)
    paragraphs, edge_credits = _split_edge_credits(paragraphs)
    credits.extend(edge_credits)
    text = PARAGRAPH_SEPARATOR.join(b.text for b in paragraphs)
    stripped, tail_credits, tail_links = strip_trailing_credits(text)
    credits.extend(tail_credits)
    links.extend(tail_links)
    sections: list[Section] = []
    offset = 0
    for block in paragraphs:
        if offset + len(block.text) > len(stripped):
            break
        if _is_heading(block):
            sections.append(Section(block.text, offset, offset + len(block.text)))
        offset += len(block.text) + len(PARAGRAPH_SEPARATOR)
    return Body(stripped, sections, list(dict.fromkeys(credits)), links)
