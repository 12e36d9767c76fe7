"""Is this string a Chinese personal name? The guard every person rule goes through."""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate, compress

import rjieba

from rnw.people.config import (
    ANONYMOUS_ENDINGS,
    COMPOUND_SURNAMES,
    NON_NAME_CHARS,
    NOT_A_NAME,
    SINGLE_SURNAMES,
)

_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
# Transcribed foreign names keep a middle dot: "雅各布·卢".
_TRANSCRIBED = re.compile(r"^[\u4e00-\u9fff]{1,6}[·•・][\u4e00-\u9fff]{1,8}$")
_DOTTED_TAIL = re.compile(r"([\u4e00-\u9fff]{1,6})[·•・][\u4e00-\u9fff]{1,8}$")
_COMPOUND = tuple(COMPOUND_SURNAMES)
_COMPOUND_SET = frozenset(COMPOUND_SURNAMES)
# Chinese punctuation: never inside a word, and the tagger segments the text between two of them
# independently of the rest (its blocks are runs of Han, Latin and digit characters).
_CHUNK_BREAK = re.compile("[，。；：！？、“”‘’（）《》【】]")


def is_person_name(text: str) -> bool:
    """True for a plausible personal name: a known surname plus one or two given-name characters.

    News prose gives no capitalisation, so the surname list and a list of characters that never sit
    inside a given name are what separates "王会芝" from "有关方面".
    """
    if text in NOT_A_NAME or text.endswith(ANONYMOUS_ENDINGS):
        return False
    if _TRANSCRIBED.match(text):
        return True
    if not _HAN.match(text):
        return False
    if 3 <= len(text) <= 4 and text.startswith(_COMPOUND):
        return not (set(text[2:]) & NON_NAME_CHARS)
    if not 2 <= len(text) <= 3 or text[0] not in SINGLE_SURNAMES:
        return False
    return not (set(text[1:]) & NON_NAME_CHARS)


def name_lengths(text: str) -> tuple[int, ...]:
    """Lengths to try for a name ending where ``text`` ends, most likely first (three, then two)."""
    lengths = [3, 2]
    if text.endswith(_COMPOUND) or text[-4:-2] in _COMPOUND_SET:
        lengths.insert(0, 4)
    dotted = _DOTTED_TAIL.search(text)
    if dotted:
        tail = len(dotted.group(0)) - len(dotted.group(1))
        return tuple(k + tail for k in range(1, len(dotted.group(1)) + 1))
    return tuple(lengths)


def tagged_person_spans(text: str) -> set[tuple[int, int]]:
    """(start, end) of the words the rjieba tagger reads as personal names in ``text``.

    A surname the tagger splits off ("王" + "明哲") is joined back to its given name. The tagger is
    the second opinion for names with no title in front: the surname list alone accepts "马上", "强烈".
    """
    spans: set[tuple[int, int]] = set()
    tagged = rjieba.tag(text)
    words = [word for word, _ in tagged]
    tags = [tag for _, tag in tagged]
    ends = list(accumulate(map(len, words)))
    personal = {tag for tag in set(tags) if tag.startswith("nr")}
    previous = -2  # index of the last personal-name word
    for i in compress(range(len(tags)), map(personal.__contains__, tags)):
        end = ends[i]
        start = end - len(words[i])
        if previous == i - 1 and len(words[previous]) == 1:
            spans.add((start - 1, end))
        spans.add((start, end))
        previous = i
    return spans


class TaggedNames:
    """``tagged_person_spans(text)`` answered lazily: ``(start, end) in names``.

    Only the stretch between two Chinese punctuation marks that holds ``start`` is tagged (once), not
    the whole article. The tagger never joins words across those marks and segments each stretch on
    its own, so every answer equals membership in ``tagged_person_spans(text)``; the extraction only
    asks about a few places of an article.
    """

    __slots__ = ("_chunks", "_cuts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._cuts = [m.start() for m in _CHUNK_BREAK.finditer(text)]
        self._chunks: dict[int, set[tuple[int, int]]] = {}

    def __contains__(self, span: object) -> bool:
        if not isinstance(span, tuple) or len(span) != 2:
            return False
        start, end = span
        chunk = bisect_right(self._cuts, start)
        spans = self._chunks.get(chunk)
        if spans is None:
            first = self._cuts[chunk - 1] + 1 if chunk else 0
            last = self._cuts[chunk] if chunk < len(self._cuts) else len(self._text)
            spans = {(s + first, e + first) for s, e in tagged_person_spans(self._text[first:last])}
            self._chunks[chunk] = spans
        return (start, end) in spans
