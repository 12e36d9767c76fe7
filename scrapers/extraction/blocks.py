"""Flatten a page into text blocks in reading order, remembering which element owns each block.

Working on a flat list keeps every later step linear: an element's text is a contiguous slice of
blocks (``Spans``), so its size and link density come from prefix sums instead of re-walking the tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from scrapers.extraction.config import BLOCK_TAGS, DROP_TAGS, HEADING_TAGS
from scrapers.extraction.document import drop_tree

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
            drop_tree(el)


def _chars(text: str) -> int:
    """Visible characters: str.split() drops every Unicode space (ideographic, no-break) at C speed."""
    return 0 if text.isspace() else sum(map(len, text.split()))


# What a tag does to the flattening, as bits: it starts a block, or opens a link, a heading or
# emphasis (one of the three, in that order of precedence).
_BLOCK, _LINK, _HEADING, _EMPHASIS = 1, 2, 4, 8
_TAG_KIND: dict[object, int] = {}
for _tag in BLOCK_TAGS | HEADING_TAGS | _EMPHASIS_TAGS | {"a"}:
    _TAG_KIND[_tag] = (_BLOCK if _tag in BLOCK_TAGS else 0) | (
        _LINK
        if _tag == "a"
        else _HEADING
        if _tag in HEADING_TAGS
        else _EMPHASIS
        if _tag in _EMPHASIS_TAGS
        else 0
    )


def flatten(root: etree._Element) -> tuple[list[Block], dict[etree._Element, tuple[int, int]]]:
    """Text blocks in document order and, per element, the slice of blocks it contains.

    One pass over the tree that runs for every element of every page, so it is written out inline:
    local counters, and each open element's kind and first block kept on stacks.
    """
    blocks: list[Block] = []
    spans: dict[etree._Element, tuple[int, int]] = {}
    starts: list[int] = []  # per open element: index of its first block
    kinds: list[int] = []  # per open element: its _TAG_KIND bits
    buf: list[str] = []
    n_all = n_link = n_emph = 0  # visible, linked and emphasised characters in `buf`
    owners: list[etree._Element] = [root]
    in_a = in_h = in_em = 0  # depth of open <a>, heading and <strong>/<b> elements
    kind_of = _TAG_KIND.get  # comments and processing instructions (tag not a str) are kind 0

    for action, el in etree.iterwalk(root, events=("start", "end")):
        if action == "start":
            kind = kind_of(el.tag, 0)
            if kind & _BLOCK:
                if n_all:
                    blocks.append(_block(buf, n_all, n_link, n_emph, owners[-1], in_h > 0))
                buf.clear()
                n_all = n_link = n_emph = 0
                owners.append(el)
            kinds.append(kind)
            starts.append(len(blocks))
            if kind & _LINK:
                in_a += 1
            elif kind & _HEADING:
                in_h += 1
            elif kind & _EMPHASIS:
                in_em += 1
            text = el.text
        else:
            kind = kinds.pop()
            if kind & _BLOCK:
                if n_all:
                    blocks.append(_block(buf, n_all, n_link, n_emph, owners[-1], in_h > 0))
                buf.clear()
                n_all = n_link = n_emph = 0
                owners.pop()
            if kind & _LINK:
                in_a -= 1
            elif kind & _HEADING:
                in_h -= 1
            elif kind & _EMPHASIS:
                in_em -= 1
            spans[el] = (starts.pop(), len(blocks))
            text = el.tail
        if text:
            n = 0 if text.isspace() else sum(map(len, text.split()))
            if n:
                buf.append(text)
                n_all += n
                if in_a:
                    n_link += n
                if in_em or in_h:
                    n_emph += n
            else:
                buf.append(" ")
    if n_all:
        blocks.append(_block(buf, n_all, n_link, n_emph, owners[-1], in_h > 0))
    return blocks, spans


def _block(
    buf: list[str], n_all: int, n_link: int, n_emph: int, owner: etree._Element, in_heading: bool
) -> Block:
    return Block(_SPACES.sub(" ", "".join(buf)).strip(), n_all, n_link, owner, in_heading, n_emph >= n_all)
