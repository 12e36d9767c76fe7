"""Find the time references of a text and resolve each to a calendar year where the text allows.

Explicit years (2021年, 二〇二一年, 98年获), words relative to the publication date (去年, 今年), words
relative to the previous year written (同年, 次年), five-year plans (“十二五”末 = 2015) and words for the
present (目前).
"""

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from rnw.indicators import config, seeds
from rnw.indicators.numerals import parse_chinese

# Each pattern opens with a lookahead on the characters every match starts with: it changes no match but
# lets the regex engine skip the rest of the text quickly.
_ABSOLUTE_RE = re.compile(
    r"(?=[\d〇零○一二三四五六七八九])(?:"
    r"(?<![\d.])(?P<year>\d{4})(?=\s?(?:年|[上下]半年|(?:和|、|至|到|—|-|~|～)\s?\d{4}\s?年))"
    r"|(?P<cn>[〇零○一二三四五六七八九]{4})(?=年)"
    r"|(?<![\d.])(?P<short>\d{2})(?=年[月底初末中获代度]))"
)
_PLAN_RE = re.compile(
    r"(?=[“\"十六七八九])[“\"]?(?P<n>十[一二三四五六七八九]?|[六七八九])五[”\"]?(?P<tail>期末|末|期间|时期|以来|规划)?"
)


@dataclass(frozen=True)
class PeriodMention:
    char_start: int
    char_end: int
    year: int | None
    label: str


def _short_year(text: str) -> int:
    value = int(text)
    return 2000 + value if text.startswith("0") or value < 30 else 1900 + value


def _plan_years(numeral: str) -> tuple[int, int] | None:
    number = parse_chinese(numeral)
    if number is None or number < config.FIRST_PLAN_NUMBER:
        return None
    start = config.FIRST_PLAN_YEAR + 5 * (int(number) - config.FIRST_PLAN_NUMBER)
    return start, start + 4


@lru_cache(maxsize=16)
def _word_re_of(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)))


def _word_re(words: list[str]) -> re.Pattern[str]:
    return _word_re_of(tuple(words))


def find_periods(text: str, published: date | None) -> list[PeriodMention]:
    """Time references in reading order; year None where the text gives no year to resolve to."""
    found: list[PeriodMention] = []
    for m in _ABSOLUTE_RE.finditer(text):
        if m.group("year"):
            year = int(m.group("year"))
            if 1000 <= year <= 2100:
                found.append(PeriodMention(m.start(), m.end(), year, m.group()))
        elif m.group("cn"):
            cn_year = parse_chinese(m.group("cn"))
            found.append(PeriodMention(m.start(), m.end(), int(cn_year) if cn_year else None, m.group()))
        else:
            found.append(PeriodMention(m.start(), m.end(), _short_year(m.group("short")), m.group()))
    for m in _PLAN_RE.finditer(text):
        years = _plan_years(m.group("n"))
        if years is None:
            continue
        year = years[1] if m.group("tail") in config.PLAN_END_WORDS else None
        label = m.group("n") + "五" + (m.group("tail") or "")
        found.append(PeriodMention(m.start(), m.end(), year, label))
    relative = seeds.relative_years()
    for m in _word_re(list(relative)).finditer(text):
        year = published.year + relative[m.group()] if published else None
        found.append(PeriodMention(m.start(), m.end(), year, m.group()))
    for m in _word_re(list(config.PRESENT_WORDS)).finditer(text):
        found.append(PeriodMention(m.start(), m.end(), published.year if published else None, m.group()))
    found.sort(key=lambda mention: mention.char_start)
    return _resolve_anaphora(text, _drop_overlaps(found))


def _drop_overlaps(mentions: list[PeriodMention]) -> list[PeriodMention]:
    kept: list[PeriodMention] = []
    for mention in mentions:
        if kept and mention.char_start < kept[-1].char_end:
            continue
        kept.append(mention)
    return kept


def _resolve_anaphora(text: str, mentions: list[PeriodMention]) -> list[PeriodMention]:
    """同年/次年 take the previous year written; they are merged into the list in reading order."""
    anaphoric = [
        (m.start(), m.end(), m.group())
        for m in _word_re(list(config.ANAPHORIC_YEAR_WORDS)).finditer(text)
        if not (m.start() and text[m.start() - 1] in config.ANAPHORA_BLOCKERS)
    ]
    merged = list(mentions)
    for start, end, word in anaphoric:
        previous = [m for m in merged if m.char_end <= start and m.year is not None]
        base = previous[-1].year if previous else None
        year = base + config.ANAPHORIC_YEAR_WORDS[word] if base is not None else None
        merged.append(PeriodMention(start, end, year, word))
        merged.sort(key=lambda mention: mention.char_start)
    return merged
