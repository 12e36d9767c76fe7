"""Word-boundary checks for dictionary matches, using a jieba segmenter that knows every region name.

Substring matching alone finds 保定 inside 医保定点; segmentation says 医保|定点, so the candidate does
not start on a word boundary and is dropped. Every region name is added to the segmenter dictionary
with the lowest frequency that keeps it whole on its own (suggest_freq), so that rare county names are
cut as one word (会东, not 会|东) while ordinary words around them still win (医保|定点).
"""

from __future__ import annotations

from collections.abc import Iterable

import rjieba

from rnw.regions.config import NON_REGION_FOLLOWERS, ORG_WORD_SUFFIXES


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
