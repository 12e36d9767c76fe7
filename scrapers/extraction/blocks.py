"""Flatten a page into text blocks in reading order, remembering which element owns each block.

Working on a flat list keeps every later step linear: an element's text is a contiguous slice of
blocks (``Spans``), so its size and link density come from prefix sums instead of re-walking the tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from scrapers.extraction.config import BLOCK_TAGS, DROP_TAGS, HEADING_TAGS

_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u3000\u2002\u2003\u200b\ufeff]+")
_EMPHASIS_TAGS = frozenset(("strong", "b"))


@dataclass
class Block:
    text: str
    chars: int
    link_chars: int
    owner: etree._Element
    heading: bool
    emphasised: bool

    @property
    def link_density(self) -> float:
        return self.link_chars / self.chars if self.chars else 0.0


def remove_furniture_tags(root: etree._Element) -> None:
    """Drop elements that never hold article text, keeping their tails (text after them)."""
    doomed = [el for el in root.iter(*DROP_TAGS)]
    doomed += [el for el in root.iter(etree.Comment, etree.ProcessingInstruction)]
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


def _chars(text: str) -> int:
    """Visible characters: str.split() drops every Unicode space (ideographic, no-break) at C speed."""
    return sum(map(len, text.split()))


def flatten(root: etree._Element) -> tuple[list[Block], dict[etree._Element, tuple[int, int]]]:
    """Text blocks in document order and, per element, the slice of blocks it contains."""
    blocks: list[Block] = []
    spans: dict[etree._Element, tuple[int, int]] = {}
    starts: dict[etree._Element, int] = {}
    buf: list[str] = []
    counts = {"link": 0, "emph": 0, "all": 0}
    owners: list[etree._Element] = [root]
    depth = {"a": 0, "h": 0, "em": 0}

    def add(text: str | None) -> None:
        if not text:
            return
        n = _chars(text)
        if not n:
            buf.append(" ")
            return
        buf.append(text)
        counts["all"] += n
        if depth["a"]:
            counts["link"] += n
        if depth["em"] or depth["h"]:
            counts["emph"] += n

    def flush() -> None:
        if counts["all"]:
            text = _SPACES.sub(" ", "".join(buf)).strip()
            blocks.append(
                Block(
                    text=text,
                    chars=counts["all"],
                    link_chars=counts["link"],
                    owner=owners[-1],
                    heading=depth["h"] > 0,
                    emphasised=counts["emph"] >= counts["all"],
                )
            )
        buf.clear()
        counts.update(link=0, emph=0, all=0)

    for action, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if action == "start":
            if tag in BLOCK_TAGS:
                flush()
                owners.append(el)
            starts[el] = len(blocks)
            if tag == "a":
                depth["a"] += 1
            elif tag in HEADING_TAGS:
                depth["h"] += 1
            elif tag in _EMPHASIS_TAGS:
                depth["em"] += 1
            add(el.text)
        else:
            if tag in BLOCK_TAGS:
                flush()
                owners.pop()
            if tag == "a":
                depth["a"] -= 1
            elif tag in HEADING_TAGS:
                depth["h"] -= 1
            elif tag in _EMPHASIS_TAGS:
                depth["em"] -= 1
            spans[el] = (starts.pop(el), len(blocks))
            add(el.tail)
    flush()
    return blocks, spans
