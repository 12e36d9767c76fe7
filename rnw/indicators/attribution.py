"""Attach a region and a period to a quantity from the mentions around it.

The nearest mention in the same clause wins, then the nearest before it in the same sentence; periods may
also carry over from earlier sentences of the same paragraph ("2021年，……。PM2.5平均浓度21.0……"), since
statistics paragraphs state their year once. Regions do not carry over: a region named in an earlier
sentence is as often a contrast as the subject.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from rnw.indicators import config, seeds


@dataclass(frozen=True)
class Span:
    start: int
    end: int


T = TypeVar("T")


def enclosing(text: str, start: int, end: int, stops: str) -> Span:
    """The stretch of text around [start, end) bounded by any of the stop characters."""
    left = max((text.rfind(ch, 0, start) for ch in stops), default=-1) + 1
    rights = [i for i in (text.find(ch, end) for ch in stops) if i != -1]
    return Span(left, min(rights, default=len(text)))


def _nearest(
    mentions: Sequence[tuple[int, int, T]], quantity: Span, scope: Span, after_too: bool
) -> T | None:
    """The mention inside scope nearest before the quantity, else (after_too) nearest after it."""
    before = [m for m in mentions if scope.start <= m[0] and m[1] <= quantity.start]
    if before:
        return max(before, key=lambda m: m[1])[2]
    if after_too:
        after = [m for m in mentions if quantity.end <= m[0] and m[1] <= scope.end]
        if after:
            return min(after, key=lambda m: m[0])[2]
    return None


RegionMention = tuple[int, int, str | None]


def _region_order(text: str, quantity: Span, mentions: Sequence[RegionMention]) -> RegionMention | None:
    """The mention a reader takes as the quantity's place, or None when the sentence names none.

    A region written right against the number owns it ("179项北京政务服务事项", "河北省40多家医院");
    otherwise the clause's first region, its grammatical subject ("天津市向承德市投入……16.52亿元"), then
    a region later in the clause, then the sentence's first region before the number, then a region
    opening an earlier sentence of the paragraph. Places without a code (京津冀, 全国) only count within
    the clause: further away they name a category ("长江经济带生态环境问题") as often as a place.
    """
    coded = [m for m in mentions if m[2] is not None]
    for mention in coded:
        if quantity.end <= mention[0] <= quantity.end + config.REGION_AFTER_UNIT_CHARS:
            return mention
        if quantity.start - config.REGION_BEFORE_NUMBER_CHARS <= mention[1] <= quantity.start:
            return mention
    clause = enclosing(text, quantity.start, quantity.end, config.CLAUSE_END)
    in_clause_before = [m for m in mentions if clause.start <= m[0] and m[1] <= quantity.start]
    if in_clause_before:
        return min(in_clause_before)
    in_clause_after = [m for m in mentions if quantity.end <= m[0] and m[1] <= clause.end]
    if in_clause_after:
        return min(in_clause_after)
    sentence = enclosing(text, quantity.start, quantity.end, config.SENTENCE_END)
    in_sentence_before = [m for m in coded if sentence.start <= m[0] and m[1] <= quantity.start]
    if in_sentence_before:
        return min(in_sentence_before)
    return _paragraph_topic(text, quantity, coded)


def _paragraph_topic(
    text: str, quantity: Span, mentions: Sequence[tuple[int, int, T]]
) -> tuple[int, int, T] | None:
    """The latest mention before the quantity in its paragraph that opens its own sentence ("2021年，……",
    "截至2021年12月，……"): such a mention sets the topic of the sentences after it, one buried mid-sentence
    does not."""
    paragraph = enclosing(text, quantity.start, quantity.end, "\n")
    topics = [
        m
        for m in mentions
        if paragraph.start <= m[0]
        and m[1] <= quantity.start
        and m[0] - enclosing(text, m[0], m[1], config.SENTENCE_END).start <= config.TOPIC_POSITION_CHARS
    ]
    return max(topics) if topics else None


def pick_region(
    text: str,
    quantity: Span,
    mentions: Sequence[RegionMention],
    primary_region: str | None,
    respective: dict[int, str | None],
    clause_only: bool = False,
) -> str | None:
    """Region code of a quantity; a mention with code None (京津冀, a group) means "no single region".
    clause_only: a time frame ("8年来") takes a region from its own clause or none."""
    if quantity.start in respective:
        return respective[quantity.start]
    if clause_only:
        clause = enclosing(text, quantity.start, quantity.end, config.CLAUSE_END)
        return _nearest(mentions, quantity, clause, after_too=True)
    mention = _region_order(text, quantity, mentions)
    return mention[2] if mention is not None else primary_region


def respective_regions(
    text: str, quantities: Sequence[Span], mentions: Sequence[RegionMention]
) -> dict[int, str | None]:
    """ "上海、江苏和浙江……分别提高至280元、300元和338元": the n-th region owns the n-th quantity."""
    assigned: dict[int, str | None] = {}
    for marker in re.finditer(config.RESPECTIVELY, text):
        sentence = enclosing(text, marker.start(), marker.end(), config.SENTENCE_END)
        regions = [m for m in mentions if sentence.start <= m[0] and m[1] <= marker.start()]
        listed = [q for q in quantities if marker.end() <= q.start and q.end <= sentence.end]
        codes = [m[2] for i, m in enumerate(regions) if i == 0 or regions[i - 1][2] != m[2]]
        if len(codes) >= 2 and len(codes) == len(listed):
            assigned.update({q.start: code for q, code in zip(listed, codes, strict=True)})
    return assigned


def pick_period(
    text: str, quantity: Span, mentions: Sequence[tuple[int, int, T]], clause_only: bool = False
) -> T | None:
    """Period mention in the clause, else earlier in the sentence, else earlier in the paragraph.
    clause_only: a time frame ("8年来") takes a period from its own clause or none."""
    clause = enclosing(text, quantity.start, quantity.end, config.CLAUSE_END)
    found = _nearest(mentions, quantity, clause, after_too=True)
    if found is not None or clause_only:
        return found
    sentence = enclosing(text, quantity.start, quantity.end, config.SENTENCE_END)
    found = _nearest(mentions, quantity, sentence, after_too=False)
    if found is not None:
        return found
    paragraph = enclosing(text, quantity.start, quantity.end, "\n")
    return _nearest(mentions, quantity, paragraph, after_too=False)


def with_scope_words(
    text: str, mentions: Sequence[RegionMention], primary_region: str | None
) -> list[RegionMention]:
    """Add the words that name a place without naming a region: 我市/我州 are the article's own region,
    全国/全球/美国 are places no regional code describes (code None, so the primary region stays off)."""
    taken = [(m[0], m[1]) for m in mentions]
    added: list[RegionMention] = []
    for m in _scope_re().finditer(text):
        if any(start < m.end() and m.start() < end for start, end in taken):
            continue
        scope = seeds.scope_words()[m.group()]
        added.append((m.start(), m.end(), primary_region if scope == "self" else None))
    return sorted([*mentions, *added], key=lambda mention: mention[0])


@cache
def _scope_re() -> re.Pattern[str]:
    words = sorted(seeds.scope_words(), key=len, reverse=True)
    return re.compile("|".join(re.escape(word) for word in words))
