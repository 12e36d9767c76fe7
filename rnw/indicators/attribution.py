"""Attach a region and a period to a quantity from the mentions around it.

The nearest mention in the same clause wins, then the nearest before it in the same sentence; periods may
also carry over from earlier sentences of the same paragraph ("2021年，……。PM2.5平均浓度21.0……"), since
statistics paragraphs state their year once. Regions carry over only where the prose says so: a place
opening a sentence sets the topic of the paragraph's next sentences, and a place the reporter goes to
("记者前往浦东新区……") is the scene of the report until another place is named. A region named in an
earlier sentence without such a cue is as often a contrast as the subject.
"""

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate
from typing import TypeVar

from rnw.indicators import config, seeds


@dataclass(frozen=True)
class Span:
    start: int
    end: int


T = TypeVar("T")


@lru_cache(maxsize=1024)
def enclosing(text: str, start: int, end: int, stops: str) -> Span:
    """The stretch of text around [start, end) bounded by any of the stop characters.

    Cached: each quantity asks for its clause and sentence several times (Span is immutable)."""
    if start < 0 or end < 0 or not stops:  # str.rfind/find read negative bounds from the end
        left = max((text.rfind(ch, 0, start) for ch in stops), default=-1) + 1
        rights = [i for i in (text.find(ch, end) for ch in stops) if i != -1]
        return Span(left, min(rights, default=len(text)))
    # One regex search each way instead of a find per stop character; the last stop before start is the
    # first one at or after len(text) - start in the reversed text.
    stop = _stop_re(stops)
    before = stop.search(_reversed(text), len(text) - start)
    after = stop.search(text, end)
    return Span(len(text) - before.start() if before else 0, after.start() if after else len(text))


@lru_cache(maxsize=8)
def _reversed(text: str) -> str:
    return text[::-1]


@lru_cache(maxsize=64)
def _stop_re(stops: str) -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(ch) for ch in dict.fromkeys(stops)) + "]")


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


def enumerations(text: str, mentions: Sequence[RegionMention]) -> list[list[RegionMention]]:
    """Runs of coded regions joined only by enumeration marks ("上海、江苏和浙江省", "沈阳和武汉")."""
    runs: list[list[RegionMention]] = []
    for mention in mentions:
        if mention[2] is None:
            continue
        if runs and text[runs[-1][-1][1] : mention[0]] in config.ENUMERATION_JOINS:
            runs[-1].append(mention)
        else:
            runs.append([mention])
    return [run for run in runs if len({m[2] for m in run}) >= 2]


def _enumerated(text: str, mention: RegionMention, mentions: Sequence[RegionMention]) -> bool:
    """Whether mention is one of an enumeration of regions (statements about it are about several)."""
    coded = [m for m in mentions if m[2] is not None]
    at = bisect_left(coded, mention)
    if at == len(coded) or coded[at] != mention:
        return False
    first = last = at
    while first > 0 and text[coded[first - 1][1] : coded[first][0]] in config.ENUMERATION_JOINS:
        first -= 1
    while last + 1 < len(coded) and text[coded[last][1] : coded[last + 1][0]] in config.ENUMERATION_JOINS:
        last += 1
    return len({m[2] for m in coded[first : last + 1]}) >= 2


def _origin(text: str, quantity: Span, clause: Span, coded: Sequence[RegionMention]) -> RegionMention | None:
    """ "从天津到保定1小时": in a from-to clause the origin owns the quantity (README: the giver or origin)."""
    before = [m for m in coded if clause.start <= m[0] and m[1] <= quantity.start]
    for i, mention in enumerate(before):
        if not text[clause.start : mention[0]].endswith(config.ORIGIN_MARKS):
            continue
        rest = text[mention[1] : quantity.start]
        if any(mark in rest for mark in config.DESTINATION_MARKS) and not any(
            text[clause.start : m[0]].endswith(config.ORIGIN_MARKS) for m in before[i + 1 :]
        ):
            return mention
    return None


def _region_order(text: str, quantity: Span, mentions: Sequence[RegionMention]) -> RegionMention | None:
    """The mention a reader takes as the quantity's place, or None when the sentence names none.

    In a from-to clause the origin owns it ("从天津到保定1小时"). A region written right against the number
    owns it ("179项北京政务服务事项", "河北省40多家医院"; after the unit only with no punctuation between);
    otherwise the clause's first region, its grammatical subject ("天津市向承德市投入……16.52亿元"), then
    a region later in the clause, then the sentence's first region before the number, then a region
    opening an earlier sentence of the paragraph. Places without a code (京津冀, 全国) only count within
    the clause: further away they name a category ("长江经济带生态环境问题") as often as a place.
    """
    coded = [m for m in mentions if m[2] is not None]
    clause = enclosing(text, quantity.start, quantity.end, config.CLAUSE_END)
    origin = _origin(text, quantity, clause, coded)
    if origin is not None:
        return origin
    for mention in coded:
        after_unit = quantity.end <= mention[0] <= quantity.end + config.REGION_AFTER_UNIT_CHARS
        if after_unit and not any(ch in config.PHRASE_END for ch in text[quantity.end : mention[0]]):
            return mention
        if quantity.start - config.REGION_BEFORE_NUMBER_CHARS <= mention[1] <= quantity.start:
            return mention
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


def _contains(outer: str, inner: str) -> bool:
    """Whether region inner lies within region outer (GB/T 2260: 310000 > 310100 > 310115)."""
    prefix = outer.rstrip("0")
    prefix += "0" * (len(prefix) % 2)
    return inner.startswith(prefix)


def _scene(text: str, quantity: Span, coded: Sequence[RegionMention]) -> str | None:
    """The place a reporter went to ("记者首先前往……浦东新区合庆镇益民村"), if the report is still there:
    no region other than that place, a place inside it or one containing it is named in between."""
    scene: RegionMention | None = None
    for cue_end, sentence_end in _scene_cues(text):
        if cue_end > quantity.start:
            break
        places = [m for m in coded if cue_end <= m[0] and m[1] <= min(sentence_end, quantity.start)]
        if places:
            scene = places[0]
    if scene is None:
        return None
    code = scene[2]
    assert code is not None
    for mention in coded:
        if scene[1] <= mention[0] and mention[1] <= quantity.start:
            other = mention[2]
            assert other is not None
            if not (_contains(code, other) or _contains(other, code)):
                return None
    return code


@lru_cache(maxsize=8)
def _scene_cues(text: str) -> tuple[tuple[int, int], ...]:
    """End of each "记者……前往" cue in text, with the end of its sentence."""
    return tuple(
        (cue.end(), enclosing(text, cue.start(), cue.end(), config.SENTENCE_END).end)
        for cue in _scene_re().finditer(text)
    )


@cache
def _scene_re() -> re.Pattern[str]:
    verbs = "|".join(config.SCENE_VERBS)
    stops = re.escape(config.CLAUSE_END)
    return re.compile(rf"{config.SCENE_SUBJECT}[^{stops}]{{0,{config.SCENE_GAP_CHARS}}}?(?:{verbs})")


def pick_region(
    text: str,
    quantity: Span,
    mentions: Sequence[RegionMention],
    primary_region: str | None,
    respective: dict[int, str | None],
    clause_only: bool = False,
) -> str | None:
    """Region code of a quantity; a mention with code None (京津冀, a group) means "no single region", and so
    does a region of an enumeration ("曲靖市、玉溪市、普洱市各有2家"). With no mention, the scene the
    reporter went to, else the primary region. clause_only: a time frame ("8年来") takes a region from its
    own clause, or the subject after it when it opens the sentence, or none."""
    if quantity.start in respective:
        return respective[quantity.start]
    if clause_only:
        clause = enclosing(text, quantity.start, quantity.end, config.CLAUSE_END)
        found = _nearest(mentions, quantity, clause, after_too=True)
        if found is None:
            found = _frame_subject(text, clause, mentions)
        return found
    mention = _region_order(text, quantity, mentions)
    if mention is not None:
        if _enumerated(text, mention, mentions):
            return None
        return mention[2]
    scene = _scene(text, quantity, [m for m in mentions if m[2] is not None])
    return scene if scene is not None else primary_region


def _frame_subject(text: str, clause: Span, mentions: Sequence[RegionMention]) -> str | None:
    """ "8年来，天津深入推进……": a time frame opening its sentence frames the subject of the next clause."""
    sentence = enclosing(text, clause.start, clause.end, config.SENTENCE_END)
    if text[sentence.start : clause.start].strip() or clause.end >= sentence.end:
        return None
    following = clause.end + 1
    for mention in mentions:
        if following <= mention[0] <= following + config.SUBJECT_POSITION_CHARS:
            return mention[2]
    return None


def respective_regions(
    text: str, quantities: Sequence[Span], mentions: Sequence[RegionMention]
) -> dict[int, str | None]:
    """ "上海、江苏和浙江……分别提高至280元、300元和338元": the n-th region owns the n-th quantity. The
    regions are the nearest enumeration before 分别 with as many regions as there are quantities, in its
    sentence or an earlier sentence of the paragraph ("上海、江苏、浙江……。而……分别执行每千瓦时0.26元、
    0.28元、0.328元")."""
    assigned: dict[int, str | None] = {}
    runs = enumerations(text, mentions)
    for marker in re.finditer(config.RESPECTIVELY, text):
        sentence = enclosing(text, marker.start(), marker.end(), config.SENTENCE_END)
        listed = [q for q in quantities if marker.end() <= q.start and q.end <= sentence.end]
        in_sentence = [r for r in runs if sentence.start <= r[0][0] and r[-1][1] <= marker.start()]
        previous = _previous_sentence(text, sentence)
        earlier = [r for r in runs if previous.start <= r[0][0] and r[-1][1] <= sentence.start]
        candidates = in_sentence[::-1] if in_sentence else earlier[::-1]
        for run in candidates:
            codes = [m[2] for i, m in enumerate(run) if i == 0 or run[i - 1][2] != m[2]]
            if len(codes) == len(listed):
                assigned.update({q.start: code for q, code in zip(listed, codes, strict=True)})
                break
    return assigned


def _previous_sentence(text: str, sentence: Span) -> Span:
    """The sentence before this one, across blank lines and paragraph indents."""
    end = len(text[: sentence.start].rstrip(config.SENTENCE_END + " \u3000\t"))
    if end == 0:
        return Span(0, 0)
    return enclosing(text, end - 1, end, config.SENTENCE_END)


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


def without_organisations(text: str, mentions: Sequence[RegionMention]) -> list[RegionMention]:
    """Drop regions that open an organisation's name ("黑龙江省勃农机械有限责任公司", "北新建材（昆明）有限
    公司"): the name is the company's, and what is said of the company is not said of the place."""
    return [m for m in mentions if m[2] is None or not _org_re().match(text, m[1])]


@cache
def _org_re() -> re.Pattern[str]:
    suffixes = "|".join(re.escape(s) for s in sorted(seeds.organisation_suffixes(), key=len, reverse=True))
    body = rf"[^\s\d{re.escape(config.PHRASE_END)}{config.NOT_IN_NAMES}]{{0,{config.ORG_NAME_CHARS}}}?[）)]?"
    return re.compile(rf"{body}(?:{suffixes})")


def with_scope_words(
    text: str, mentions: Sequence[RegionMention], primary_region: str | None
) -> list[RegionMention]:
    """Add the words that name a place without naming a region: 我市/我州 are the article's own region,
    全国/全球/美国 are places no regional code describes (code None, so the primary region stays off).
    Such words and uncoded regions inside a short quoted name (“国投京津冀协同创新……基金”, “全国文明
    城市”) name a thing, not its place, and are dropped."""
    taken = sorted((m[0], m[1]) for m in mentions)
    starts = [start for start, _ in taken]
    furthest = list(accumulate((end for _, end in taken), max))  # furthest end among taken[: i + 1]
    added: list[RegionMention] = []
    for m in _scope_re().finditer(text):
        # overlaps a taken span: one starting before m ends that ends after m starts
        before_end = bisect_left(starts, m.end())
        if before_end and furthest[before_end - 1] > m.start():
            continue
        scope = seeds.scope_words()[m.group()]
        added.append((m.start(), m.end(), primary_region if scope == "self" else None))
    found = sorted([*mentions, *added], key=lambda mention: mention[0])
    # Quoted names do not overlap and come in order, so their ends ascend too: of the names starting
    # before a mention, the last one reaches furthest.
    names = [(q.start(), q.end()) for q in _quoted_name_re().finditer(text)]
    name_starts = [start for start, _ in names]

    def in_name(mention: RegionMention) -> bool:
        at = bisect_left(name_starts, mention[0])
        return at > 0 and mention[1] < names[at - 1][1]

    return [m for m in found if m[2] is not None or not in_name(m)]


@cache
def _quoted_name_re() -> re.Pattern[str]:
    return re.compile(rf"“[^”{re.escape(config.CLAUSE_END)}]{{1,{config.QUOTED_NAME_CHARS}}}”")


@cache
def _scope_re() -> re.Pattern[str]:
    words = sorted(seeds.scope_words(), key=len, reverse=True)
    return re.compile("|".join(re.escape(word) for word in words))
