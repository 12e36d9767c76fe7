"""Find the quantities written in a text: a number (Arabic, full-width or Chinese, single or a range) and
the magnitude and unit after it, with the traps that look like quantities but are not (years, PM2.5,
"1+4", ordinals, list numbers, phone numbers) left out.

Every quantity needs a unit from the units seed, a magnitude (万, 亿) or an index cue before it: a bare
number in news prose is far more often a code, a date or a name than a measurement.
"""

import re
from dataclasses import dataclass

from rnw.indicators import config, seeds
from rnw.indicators.numerals import CHINESE_NUMERAL_CHARS, fold_width, parse_arabic, parse_chinese

_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CHINESE = rf"[{CHINESE_NUMERAL_CHARS}]+(?:点[零〇一二三四五六七八九]+)?"
# The lookahead changes no match (every number starts with a digit or a numeral, 百分之 with 百) but lets
# the regex engine skip the text between numbers quickly.
_NUMBER_RE = re.compile(
    rf"(?=[\d{CHINESE_NUMERAL_CHARS}])(?P<pct>百分之)?(?:(?P<arabic>{_ARABIC})|(?P<chinese>{_CHINESE}))"
)
_ARABIC_AT = re.compile(_ARABIC)
_CHINESE_AT = re.compile(_CHINESE)
_MAGNITUDE_ONLY = set("十百千万亿")
_CHINESE_DIGITS_ONLY = set("零〇○一二三四五六七八九")
_YEAR_FOLLOWERS = re.compile(r"\s?(?:年|[上下]半年|(?:和|、|至|到|—|-|~|～)\s?\d{4}\s?年)")
_CHINESE_MAGNITUDE_TAIL = ("万亿", "亿", "万")
_OPEN_QUOTES = "“\"'‘「"
_CLOSE_QUOTES = "”\"'’」"
_RANGE_SEPARATOR_HEADS = frozenset(separator[0] for separator in config.RANGE_SEPARATORS)
# Chinese numerals that, written alone, never start a quantity, so find_quantities skips them unread: 一 and
# 零 (〇, ○) are determiners or word parts (_is_trap), 百/千/万/亿 alone are words (_chinese_number).
_NEVER_ALONE = frozenset(
    [ch for ch in "零〇○一" if parse_chinese(ch) in config.CHINESE_DETERMINER_VALUES]
    + sorted(_MAGNITUDE_ONLY - {"十"})
)
_IDIOM_RE = re.compile("|".join(re.escape(idiom) for idiom in config.IDIOM_TRAPS) or "(?!)")


@dataclass(frozen=True)
class Quantity:
    """A number with its unit as found in the text; offsets slice the text to number plus unit."""

    char_start: int
    char_end: int
    value: float
    value_high: float | None
    value_text: str
    unit: str
    dimension: str
    normalized_unit: str
    normalized_value: float


@dataclass(slots=True)
class _Number:
    start: int
    end: int
    value: float
    text: str
    is_chinese: bool
    magnitude: str = ""

    @property
    def tail_end(self) -> int:
        """End of the number including a Chinese numeral's own magnitude (十八万)."""
        return self.end + len(self.magnitude)


def _read_number(folded: str, pos: int) -> _Number | None:
    """Read one number at pos, splitting a Chinese numeral's trailing 万/亿 off as its magnitude."""
    if m := _ARABIC_AT.match(folded, pos):
        return _Number(pos, m.end(), parse_arabic(m.group()), m.group(), False)
    if m := _CHINESE_AT.match(folded, pos):
        return _chinese_number(folded, pos, m.end())
    return None


def _chinese_number(folded: str, start: int, end: int) -> _Number | None:
    text = folded[start:end]
    magnitude = ""
    for tail in _CHINESE_MAGNITUDE_TAIL:
        if text.endswith(tail) and len(text) > len(tail):
            text, magnitude = text[: -len(tail)], tail
            break
    if set(text) <= _MAGNITUDE_ONLY - {"十"}:
        return None  # "万亩" or "千万" alone is a word, not a number
    value = parse_chinese(text)
    if value is None:
        return None
    is_year = _is_digit_string(text) and folded.startswith("年", start + len(text))
    if len(text) > 1 and set(text) <= _CHINESE_DIGITS_ONLY | {"两"} and not is_year:
        return None  # 一两年 is "one or two", 三四个 "three or four": no value; 八一年 is a year
    return _Number(start, start + len(text), value, text, True, magnitude)


def _is_digit_string(text: str) -> bool:
    return len(text) > 1 and set(text) <= _CHINESE_DIGITS_ONLY


def _longest_prefix(text: str, pos: int, table: dict) -> str:
    """The longest key of table (at most 8 characters) that text has at pos, or ""."""
    if pos < 0:  # not reached from this module; the plain scan keeps the meaning of a negative index
        for size in range(min(8, len(text) - pos), 0, -1):
            if text[pos : pos + size] in table:
                return text[pos : pos + size]
        return ""
    index = _PREFIX_INDEXES.get(id(table))
    if index is None or index[0] is not table:
        index = _prefix_index(table)
    if text[pos : pos + 1] not in index[1]:
        return ""
    sizes = index[2]
    room = len(text) - pos
    for size in sizes:
        if size <= room and text[pos : pos + size] in table:
            return text[pos : pos + size]
    return ""


# The lookup tables (seeds.units(), seeds.magnitudes()) are built once and never changed: their first
# characters and key lengths are worked out once too.
_PREFIX_INDEXES: dict[int, tuple[dict, frozenset[str], tuple[int, ...]]] = {}


def _prefix_index(table: dict) -> tuple[dict, frozenset[str], tuple[int, ...]]:
    """The table with the first characters and lengths (longest first, at most 8) of its string keys."""
    keys = [key for key in table if isinstance(key, str) and 0 < len(key) <= 8]
    index = (
        table,
        frozenset(key[0] for key in keys),
        tuple(sorted({len(key) for key in keys}, reverse=True)),
    )
    _PREFIX_INDEXES[id(table)] = index
    return index


def _skip_approximator(text: str, pos: int) -> int:
    return pos + 1 if pos < len(text) and text[pos] in config.APPROXIMATORS else pos


def _read_unit(folded: str, pos: int, magnitude: str) -> tuple[str, str, seeds.UnitSpec | None, int]:
    """Read magnitude and unit after a number; returns (magnitude, unit, spec, end)."""
    units, magnitudes = seeds.units(), seeds.magnitudes()
    best_magnitude, best_unit, best_end = magnitude, "", pos
    candidates = [(magnitude, pos)]
    if not magnitude and (found := _longest_prefix(folded, pos, magnitudes)):
        candidates.append((found, _skip_approximator(folded, pos + len(found))))
    for mag, start in candidates:
        unit = _longest_prefix(folded, start, units)
        if unit and start + len(unit) > best_end:
            best_magnitude, best_unit, best_end = mag, unit, start + len(unit)
    if not best_unit and len(candidates) > 1:
        best_magnitude, best_end = candidates[1][0], pos + len(candidates[1][0])
    return best_magnitude, best_unit, units.get(best_unit), best_end


def _read_denominator(folded: str, pos: int) -> tuple[seeds.UnitSpec | None, int]:
    """Read the "/公里" of "人次/公里": a rate's denominator unit."""
    for mark in config.PER_MARKS:
        if folded.startswith(mark, pos):
            unit = _longest_prefix(folded, pos + len(mark), seeds.units())
            if unit:
                end = pos + len(mark) + len(unit)
                if folded.startswith("·", end) and end + 1 < len(folded):
                    end += 2  # "人次/公里·日"
                return seeds.units()[unit], end
    return None, pos


def _is_year(folded: str, number: _Number) -> bool:
    end = number.end  # what follows is read in place: slicing off the rest of the text costs per number
    if number.is_chinese:
        # 二〇二一年, 八一年: digits read one by one name a year
        return _is_digit_string(number.text) and folded.startswith("年", end)
    if "." in number.text or "," in number.text:
        return False
    if len(number.text) == 4 and 1000 <= number.value <= 2100:
        return bool(_YEAR_FOLLOWERS.match(folded, end))
    if len(number.text) == 2 and folded.startswith("年", end):
        short_year = number.text.startswith("0")
        follower = folded[end + 1 : end + 2]
        return short_year or (follower != "" and follower in config.SHORT_YEAR_FOLLOWERS)
    return False


def _is_trap(folded: str, number: _Number) -> bool:
    """Numbers that are labels rather than values: PM2.5, YE4, "1+4", 第二轮, 几十, idioms."""
    before = folded[number.start - 1] if number.start else ""
    before2 = folded[number.start - 2] if number.start > 1 else ""
    after = folded[number.end] if number.end < len(folded) else ""
    if before.isascii() and before.isalpha() or after.isascii() and after.isalpha():
        return True
    if before == "+" and before2.isdigit() or after == "+" and not number.is_chinese:
        return True
    if before in "-−—" and before2.isascii() and before2.isalnum():
        return True  # the tail of a code or a phone number ("0471-6621170", "F—15")
    if number.is_chinese:
        if before in config.VAGUE_PREFIXES:
            return True
        if number.value in config.CHINESE_DETERMINER_VALUES and not number.magnitude:
            return True
        window = folded[max(0, number.start - 3) : number.end + 3]
        if _IDIOM_RE.search(window):
            return True
    return False


def _is_quoted_name(folded: str, start: int, end: int) -> bool:
    """“1小时交通圈”, “871”生态工程: a quantity opening a short quoted name is part of the name."""
    if start == 0 or folded[start - 1] not in _OPEN_QUOTES:
        return False
    close = next((i for i in range(end, min(len(folded), end + 8)) if folded[i] in _CLOSE_QUOTES), None)
    if close is None:
        return False
    between = folded[end:close]
    return bool(between) and not any(ch.isdigit() for ch in between)


def _has_index_cue(folded: str, start: int) -> bool:
    return folded.endswith(_INDEX_CUE_PHRASES, 0, start)


_INDEX_CUE_PHRASES = tuple(cue + link for link in config.INDEX_LINKS for cue in config.INDEX_CUES)


def _range_tail(folded: str, number: _Number) -> _Number | None:
    """The upper number of a range written "30—40", "15-18万元" or "100亿～120亿"."""
    first_magnitude = number.magnitude or _longest_prefix(folded, number.end, seeds.magnitudes())
    pos = number.end + len(first_magnitude)
    if folded[pos : pos + 1] not in _RANGE_SEPARATOR_HEADS:
        return None  # no separator starts here (the loop below would find none)
    for separator in config.RANGE_SEPARATORS:
        if not folded.startswith(separator, pos):
            continue
        high = _read_number(folded, pos + len(separator))
        if high is None or high.is_chinese != number.is_chinese or high.value <= number.value:
            return None
        high_magnitude = high.magnitude or _longest_prefix(folded, high.tail_end, seeds.magnitudes())
        if first_magnitude and high_magnitude != first_magnitude:
            return None
        return high
    return None


def _sign(folded: str, start: int) -> int:
    """-1 for a minus sign written right before the number ("-3家", "负5℃") that is no range or code dash."""
    if start == 0 or folded[start - 1] not in config.MINUS_SIGNS:
        return 1
    before = folded[start - 2] if start > 1 else ""
    if folded[start - 1] == "负" and before in config.NEGATIVE_WORD_HEADS:
        return 1  # 减负180亿元: the 负 belongs to a word
    return 1 if before.isascii() and before.isalnum() or before.isdigit() else -1


def _ordinal_kind(folded: str, number: _Number) -> str:
    """'rank' for 第3位/第三名, 'ordinal' for other 第N (第二轮, 第四村民组), '' otherwise."""
    if number.start == 0 or folded[number.start - 1] != "第":
        return ""
    return "rank" if folded[number.end : number.end + 1] in ("位", "名") else "ordinal"


def find_quantities(text: str) -> list[Quantity]:
    """All quantities in reading order; their offsets index the original text."""
    folded = fold_width(text)
    found: list[Quantity] = []
    pos = 0
    while m := _NUMBER_RE.search(folded, pos):
        chinese = m.group("chinese")
        if chinese is not None and len(chinese) == 1 and chinese in _NEVER_ALONE:
            pos = m.end()  # where the full reading below ends up for these, without reading
            continue
        # the groups are what _read_number would match again at their start (_ARABIC, _CHINESE)
        if arabic := m.group("arabic"):
            number = _Number(m.start("arabic"), m.end("arabic"), parse_arabic(arabic), arabic, False)
        else:
            number = _chinese_number(folded, m.start("chinese"), m.end("chinese"))
        if number is None:
            pos = m.end()
            continue
        quantity = _quantity_at(folded, text, number, m.start(), bool(m.group("pct")))
        if quantity is None:
            pos = max(number.end, m.start() + 1)
            continue
        found.append(quantity)
        pos = quantity.char_end
    return found


def _quantity_at(
    folded: str, text: str, number: _Number, start: int, percent_prefix: bool
) -> Quantity | None:
    if _is_year(folded, number) or _is_trap(folded, number):
        return None
    ordinal = _ordinal_kind(folded, number)
    if ordinal == "ordinal":
        return None
    if ordinal == "rank":
        unit = folded[number.end]
        return Quantity(
            start,
            number.end + 1,
            number.value,
            None,
            text[number.start : number.end],
            unit,
            "rank",
            "rank",
            number.value,
        )
    if folded.startswith(config.FRACTION_MARK, number.tail_end) and not number.magnitude:
        return _fraction(folded, text, number, start)
    if percent_prefix:
        percent = seeds.units()["%"]
        return Quantity(
            start,
            number.end,
            number.value,
            None,
            text[number.start : number.end],
            "百分之",
            percent.dimension,
            percent.normalized_unit,
            number.value,
        )
    high = _range_tail(folded, number)
    last = high or number
    unit_start = _skip_approximator(folded, last.tail_end)
    magnitude, unit, spec, end = _read_unit(folded, unit_start, last.magnitude)
    if last.magnitude:
        unit_start = last.end
    value_text = text[number.start : last.end]
    if spec is None:
        if magnitude:
            dimension, normalized_unit, factor = "number", "number", 1.0
        elif high is None and _has_index_cue(folded, number.start):
            dimension, normalized_unit, factor = "index", "index", 1.0
        else:
            return None
    else:
        dimension, normalized_unit, factor = spec.dimension, spec.normalized_unit, spec.factor
        denominator, end = _read_denominator(folded, end)
        if denominator is not None:
            dimension = f"{dimension}_per_{denominator.dimension}"
            normalized_unit = f"{normalized_unit}/{denominator.normalized_unit}"
            factor = factor / denominator.factor
    if _is_quoted_name(folded, start, end):
        return None
    if dimension in config.DURATION_DIMENSIONS and folded.startswith(config.TENOR_SUFFIX, end):
        return None  # "1年期NDF", "3年期国债": a product's tenor is part of its name
    scale = seeds.magnitudes().get(magnitude, 1.0) * factor
    sign = _sign(folded, number.start)
    if sign < 0:
        start -= 1
    written_unit = "".join(ch for ch in text[unit_start:end] if ch not in config.APPROXIMATORS)
    return Quantity(
        start,
        end,
        sign * number.value,
        sign * high.value if high else None,
        text[start : last.end] if sign < 0 else value_text,
        written_unit,
        dimension,
        normalized_unit,
        sign * number.value * scale,
    )


def _fraction(folded: str, text: str, number: _Number, start: int) -> Quantity | None:
    """ "三分之一": value is the fraction, normalized to percent."""
    numerator = _read_number(folded, number.tail_end + len(config.FRACTION_MARK))
    if numerator is None or number.value == 0 or numerator.magnitude:
        return None
    value = numerator.value / number.value
    percent = seeds.units()["%"]
    return Quantity(
        start,
        numerator.end,
        value,
        None,
        text[number.start : numerator.end],
        config.FRACTION_MARK,
        percent.dimension,
        percent.normalized_unit,
        value * 100,
    )
