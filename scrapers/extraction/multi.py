"""Pages that carry several full articles: blog archives, newspaper page dumps.

They repeat one container per article with the same class ("post-body", "article"); when the chosen
body container (or a near ancestor) is one of at least two such elements that each hold an article's
worth of prose, every one of them is an article of its own. Only pages without one headline matching
their <title> qualify, and only content-named classes: a single story's page also repeats classed
containers (teaser lists, print copies), and splitting those would cut its story apart.
"""

from __future__ import annotations

from lxml import etree

from scrapers.extraction.blocks import Block
from scrapers.extraction.config import (
    MAX_ANCESTOR_STEPS,
    MIN_MULTI_ARTICLE_CHARS,
    NEGATIVE_ATTR,
    POSITIVE_ATTR,
)
from scrapers.extraction.content import is_prose


def _prose_chars(blocks: list[Block], span: tuple[int, int]) -> int:
    return sum(b.chars for b in blocks[span[0] : span[1]] if is_prose(b))


def article_containers(
    top: etree._Element, blocks: list[Block], spans: dict[etree._Element, tuple[int, int]]
) -> list[etree._Element]:
    """The repeated article elements of a multi-article page, in order; [top] on ordinary pages."""
    el: etree._Element | None = top
    for _ in range(MAX_ANCESTOR_STEPS + 1):
        if el is None or el.tag in ("body", "html"):
            break
        cls = (el.get("class") or "").strip()
        if cls and POSITIVE_ATTR.search(cls) and not NEGATIVE_ATTR.search(cls):
            kin = [
                other
                for other in el.getroottree().iter(el.tag)
                if (other.get("class") or "").strip() == cls and other in spans
            ]
            kin = _outermost(kin)
            full = [k for k in kin if _prose_chars(blocks, spans[k]) >= MIN_MULTI_ARTICLE_CHARS]
            if len(full) >= 2 and el in full:
                return full
        el = el.getparent()
    return [top]


def _outermost(elements: list[etree._Element]) -> list[etree._Element]:
    chosen = set(elements)
    return [e for e in elements if not any(a in chosen for a in e.iterancestors())]
