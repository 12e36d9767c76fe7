"""Find the article's text blocks: the container where prose (long, punctuated, unlinked text) is
densest, then only the prose-like blocks inside it.

This is the readability idea (score paragraphs, credit their ancestors, discount link-heavy and
furniture-named containers) run over a flat block list, which is why it is several times faster than
readability-lxml and trafilatura on the same pages.
"""

from __future__ import annotations

from lxml import etree

from scrapers.extraction.blocks import Block
from scrapers.extraction.config import (
    ANCESTOR_DECAY,
    MAX_LINK_DENSITY,
    MIN_PROSE_CHARS,
    NEGATIVE_ATTR,
    NEGATIVE_FACTOR,
    PARAGRAPH_TAGS,
    PUNCTUATION,
    TEASER_ENDINGS,
    TITLE_ABOVE_PENALTY,
    TITLE_DISTANCE_SCALE,
)


def attr_text(el: etree._Element) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def attr_factor(el: etree._Element) -> float:
    """Containers named like furniture score less (a content-like name earned nothing measurable)."""
    return NEGATIVE_FACTOR if NEGATIVE_ATTR.search(attr_text(el)) else 1.0


def is_prose(block: Block) -> bool:
    return block.chars >= MIN_PROSE_CHARS and block.link_density < MAX_LINK_DENSITY


def is_teaser(block: Block) -> bool:
    """A truncated summary ("...黄金搭档再度联手，...") linking to another article."""
    return block.text.endswith(TEASER_ENDINGS) and not block.text.endswith("……")


def block_score(block: Block) -> float:
    return 1.0 + len(PUNCTUATION.findall(block.text)) + min(block.chars / 100.0, 3.0)


class Spans:
    """Character and link totals of any slice of blocks in O(1)."""

    def __init__(self, blocks: list[Block]) -> None:
        self.chars = [0]
        self.links = [0]
        for block in blocks:
            self.chars.append(self.chars[-1] + block.chars)
            self.links.append(self.links[-1] + block.link_chars)

    def link_density(self, start: int, end: int) -> float:
        chars = self.chars[end] - self.chars[start]
        return (self.links[end] - self.links[start]) / chars if chars else 1.0


def title_distance_factor(start: int, end: int, title_at: int | None) -> float:
    """Articles start just below their headline; teaser lists and comments sit far from it."""
    if title_at is None or start <= title_at < end:
        return 1.0
    distance = start - title_at if start > title_at else (title_at - end) * TITLE_ABOVE_PENALTY
    return 1.0 / (1.0 + distance / TITLE_DISTANCE_SCALE)


def best_container(
    blocks: list[Block], spans: dict[etree._Element, tuple[int, int]], title_at: int | None = None
) -> etree._Element | None:
    """The element whose prose score, discounted by link density, furniture names and distance from
    the headline, is highest."""
    scores: dict[etree._Element, float] = {}
    for block in blocks:
        if not is_prose(block) or is_teaser(block):
            continue
        score = block_score(block)
        el: etree._Element | None = block.owner
        if el.tag in PARAGRAPH_TAGS:
            el = el.getparent()  # a paragraph is a part of the article, never the article
        for decay in ANCESTOR_DECAY:
            if el is None:
                break
            scores[el] = scores.get(el, 0.0) + score * decay
            el = el.getparent()
    totals = Spans(blocks)
    best, best_score = None, 0.0
    for el, score in scores.items():
        start, end = spans.get(el, (0, 0))
        value = score * (1.0 - totals.link_density(start, end)) * attr_factor(el)
        value *= title_distance_factor(start, end, title_at)
        if value > best_score:
            best, best_score = el, value
    return best


def in_furniture(block: Block, top: etree._Element) -> bool:
    """Inside the chosen container but within a child container named like page furniture."""
    return FurnitureTest(top)(block)


class FurnitureTest:
    """``in_furniture`` for many blocks under one `top`: the walk from a block's owner up to `top`
    looks for a furniture-named element; blocks share their owners' ancestors, so each element's
    answer is worked out once."""

    def __init__(self, top: etree._Element) -> None:
        self._top = top
        self._known: dict[etree._Element, bool] = {}

    def __call__(self, block: Block) -> bool:
        known = self._known
        path = []
        el = block.owner
        found = False
        while el is not None and el is not self._top:
            answer = known.get(el)
            if answer is not None:
                found = answer
                break
            path.append(el)
            if NEGATIVE_ATTR.search(attr_text(el)):
                found = True
                break
            el = el.getparent()
        # Every element walked holds the same answer: furniture at or above it, or none up to top.
        for walked in path:
            known[walked] = found
        return found
