"""Is this string a Chinese personal name? The guard every person rule goes through."""

from __future__ import annotations

import re

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
    for surname in COMPOUND_SURNAMES:
        if text.startswith(surname) and 3 <= len(text) <= 4:
            return not (set(text[2:]) & NON_NAME_CHARS)
    if not 2 <= len(text) <= 3 or text[0] not in SINGLE_SURNAMES:
        return False
    return not (set(text[1:]) & NON_NAME_CHARS)


def name_lengths(text: str) -> tuple[int, ...]:
    """Lengths to try for a name ending where ``text`` ends, most likely first (three, then two)."""
    lengths = [3, 2]
    if any(text.endswith(s) or text[-4:-2] == s for s in COMPOUND_SURNAMES):
        lengths.insert(0, 4)
    dotted = re.search(r"([\u4e00-\u9fff]{1,6})[·•・][\u4e00-\u9fff]{1,8}$", text)
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
    pos = 0
    previous: tuple[int, int] | None = None
    for word, tag in rjieba.tag(text):
        end = pos + len(word)
        if tag.startswith("nr"):
            if previous and previous[1] == pos and previous[1] - previous[0] == 1:
                spans.add((previous[0], end))
            spans.add((pos, end))
            previous = (pos, end)
        else:
            previous = None
        pos = end
    return spans
