"""Word-boundary checks for dictionary matches, using a jieba segmenter that knows every region name.

Substring matching alone finds 保定 inside 医保定点; segmentation says 医保|定点, so the candidate does
not start on a word boundary and is dropped. Every region name is added to the segmenter dictionary
with the lowest frequency that keeps it whole on its own (suggest_freq), so that rare county names are
cut as one word (会东, not 会|东) while ordinary words around them still win (医保|定点).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import rjieba

from rnw.regions.config import NON_REGION_FOLLOWERS, ORG_WORD_SUFFIXES

# Punctuation jieba never joins to a neighbour: it is outside jieba's word-character class and is
# not whitespace, so each one is a token of its own and the clauses on either side are cut
# independently. Cutting only the clauses that hold a candidate gives the same tokens there.
_CLAUSE_BREAK = re.compile("[。，、；！？：“”（）《》]")


class Segmentation:
    """Token boundaries of one text."""

    def __init__(self, text: str, token_spans: Iterable[tuple[int, int]]) -> None:
        self.text = text
        self._end_of = dict(token_spans)

    def accepts(self, start: int, end: int) -> bool:
        """The match must start a word and end one, or end inside a word that makes it an organisation
        or office of the place (北京大学, 巴彦淖尔市|委 where the segmenter cut 巴彦淖尔|市委)."""
        if start not in self._end_of:
            return False
        position = start
        while position < end:
            position = self._end_of.get(position, end + 1)
        if position == end:
            return True
        token_end = self._token_end_after(end)
        return token_end is not None and self.text[end:token_end].endswith(ORG_WORD_SUFFIXES)

    def _token_end_after(self, position: int) -> int | None:
        """End of the token that straddles `position` (None if the walk left the token grid)."""
        for start in range(position - 1, max(-1, position - 12), -1):
            end = self._end_of.get(start)
            if end is not None:
                return end if end > position else None
        return None

    def followed_by_smaller_place(self, end: int) -> bool:
        """山南|村, 川沙|新|镇, 北京|路: a village, town or street word follows as whole tokens."""
        for follower in NON_REGION_FOLLOWERS:
            if self.text.startswith(follower, end) and self._is_boundary(end + len(follower)):
                return True
        return False

    def _is_boundary(self, position: int) -> bool:
        return position in self._end_of or position == len(self.text)


class Segmenter:
    def __init__(self, names: Iterable[str]) -> None:
        self._jieba = rjieba.Jieba()
        for name in sorted(set(names)):
            self._jieba.add_word(name, self._jieba.suggest_freq(name), "ns")

    def segment(self, text: str) -> Segmentation:
        return Segmentation(text, ((start, end) for _, start, end in self._jieba.tokenize(text)))

    def segment_around(self, text: str, matches: Iterable[tuple[int, int]]) -> Segmentation:
        """Token boundaries of the clauses that hold the (start, end) `matches`, and of the breaks
        closing them.

        Enough for every check of such a match: it reads tokens from its start to the token that
        holds its end, and then only the same clause (followers and organisation words hold no
        clause break). A name that spans a break (西沙、南沙、中沙群岛) takes every clause it touches.
        """
        n = len(text)
        backwards = text[::-1]
        ranges: list[list[int]] = []
        for start, end in sorted(matches):
            if ranges and start < ranges[-1][1]:
                if end > ranges[-1][1]:
                    ranges[-1][1] = self._clause_end(text, end)
                continue
            before = _CLAUSE_BREAK.search(backwards, n - start)
            ranges.append([n - before.start() if before else 0, self._clause_end(text, end)])
        end_of: dict[int, int] = {}
        for left, right in ranges:
            for _, start, end in self._jieba.tokenize(text[left:right]):
                end_of[left + start] = left + end
            if right < n:
                end_of[right] = right + 1
        return Segmentation(text, end_of.items())

    @staticmethod
    def _clause_end(text: str, position: int) -> int:
        """The first clause break at or after `position` (the text's length if none)."""
        found = _CLAUSE_BREAK.search(text, position)
        return found.start() if found else len(text)
