"""Name the measured thing of a quantity and classify how the number relates to it.

The measured thing is the noun phrase before the number in its clause ("PM2.5年均浓度降至39微克" ->
"PM2.5年均浓度"), or, for counts written classifier-first, the noun after the unit ("382家医保定点医疗机构").
"""

import re
from collections.abc import Sequence
from functools import cache

from rnw.indicators import config, seeds
from rnw.indicators.attribution import enclosing
from rnw.indicators.scanner import Quantity

CHANGE_KINDS = ("level", "increase", "decrease", "share", "rank", "target", "count", "duration")
_DIRECT_CHANGE_GAP = re.compile(r"^(?:了|约|近|超过|达|达到)?$")
_LEVEL_MARKERS = ("至", "到", "为")


def _strip(phrase: str, removable: Sequence[tuple[int, int]], offset: int) -> str:
    limit = offset + len(phrase)
    cut = [(start, end) for start, end in removable if start < limit and end > offset and start < end]
    if cut:
        chars = list(phrase)
        for start, end in cut:
            for i in range(max(start, offset), min(end, limit)):
                chars[i - offset] = ""
        text = "".join(chars)
    else:
        text = phrase
    changed = True
    while changed and text:
        changed = False
        # a pass over the words changes nothing unless one of them ends (starts) the text as it stands
        if text.endswith(config.PHRASE_TRAILING_NOISE):
            for word in config.PHRASE_TRAILING_NOISE:
                if text.endswith(word):
                    text, changed = text[: -len(word)], True
        if text.startswith(config.PHRASE_LEADING_NOISE):
            for word in config.PHRASE_LEADING_NOISE:
                if text.startswith(word):
                    text, changed = text[len(word) :], True
        stripped = text.strip(" \u3000的“”\"'")
        changed = changed or stripped != text
        text = stripped
    return text[-config.MAX_PHRASE_CHARS :]


def indicator_phrase(text: str, quantity: Quantity, removable: Sequence[tuple[int, int]]) -> str:
    """The measured thing as phrased; removable spans (regions, periods) are cut out of it."""
    span = enclosing(text, quantity.char_start, quantity.char_end, config.PHRASE_END)
    before = _strip(text[span.start : quantity.char_start], removable, span.start)
    if len(before) >= config.MIN_PHRASE_CHARS:
        return before
    after = _strip(text[quantity.char_end : span.end], removable, quantity.char_end)
    return after[: config.MAX_PHRASE_CHARS] or before


def change_kind(text: str, quantity: Quantity, is_future: bool) -> str:
    """One of CHANGE_KINDS: how the number relates to the measured thing."""
    if quantity.dimension == "rank":
        return "rank"
    clause = enclosing(text, quantity.char_start, quantity.char_end, config.CLAUSE_END)
    before = text[clause.start : quantity.char_start]
    cues = _cues_longest_first() if _cue_re().search(before) else ()  # no cue in the clause: none to try
    for cue, kind in cues:
        at = before.rfind(cue)
        if at == -1:
            continue
        gap = before[at + len(cue) :]
        if (
            kind in ("increase", "decrease")
            and _DIRECT_CHANGE_GAP.match(gap)
            and not gap.startswith(_LEVEL_MARKERS)
        ):
            return kind
    if quantity.dimension.startswith("percent") and any(cue in before for cue in _cues_of("share")):
        return "share"
    sentence = enclosing(text, quantity.char_start, quantity.char_end, config.SENTENCE_END)
    sentence_before = text[sentence.start : quantity.char_start]
    if is_future or any(cue in sentence_before for cue in _cues_of("target")):
        return "target"
    if quantity.dimension in config.DURATION_DIMENSIONS:
        return "duration"
    if quantity.dimension == "count":
        return "count"
    if before.endswith(_cues_of("rank")):
        return "rank"
    return "level"


@cache
def _cues_longest_first() -> tuple[tuple[str, str], ...]:
    """(cue, change kind) pairs, longest cue first (ties in seed order)."""
    cues = seeds.change_cues()
    return tuple((cue, cues[cue]) for cue in sorted(cues, key=len, reverse=True))


@cache
def _cue_re() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(cue) for cue in seeds.change_cues()))


@cache
def _cues_of(kind: str) -> tuple[str, ...]:
    return tuple(cue for cue, cue_kind in seeds.change_cues().items() if cue_kind == kind)
