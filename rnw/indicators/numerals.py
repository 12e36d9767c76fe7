"""Number reading: full-width folding and Chinese numerals.

Only a cut-out numeral is ever converted: converting running text (as cn2an does) also turns the 四 of
四川 into a digit.
"""

_FULL_WIDTH = {chr(0xFF10 + i): str(i) for i in range(10)} | {"．": ".", "，": ","}
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_SECTIONS = {"万": 10_000, "亿": 100_000_000}
CHINESE_NUMERAL_CHARS = "".join(_CN_DIGITS) + "".join(_CN_UNITS) + "".join(_CN_SECTIONS)


def fold_width(text: str) -> str:
    """Map full-width digits and the full-width point to ASCII, one character for one, so offsets hold."""
    for wide, narrow in _FULL_WIDTH.items():  # one C-speed pass per character beats a per-char lookup
        if wide in text:
            text = text.replace(wide, narrow)
    return text


def parse_arabic(text: str) -> float:
    """Read an ASCII number that may carry thousands separators ("1,200.5")."""
    return float(text.replace(",", ""))


def _parse_section(text: str) -> int | None:
    """Read a numeral below 万 ("三千二百零五"); None when the characters do not form one."""
    total, digit, last_unit = 0, None, 10_000
    for ch in text:
        if ch in "零〇" and total:
            continue  # a zero placeholder between units ("一百零五")
        if ch in _CN_DIGITS:
            if digit is not None:
                return None  # two digits in a row ("二三十") is an approximation, not a number
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit >= last_unit:
                return None
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            return None
    if digit is not None:
        total += digit
    return total


def parse_chinese(text: str) -> float | None:
    """Read a Chinese numeral ("十八", "三万五千", "一点五", "二〇二一"); None when it is malformed."""
    if not text:
        return None
    integer, _, fraction = text.partition("点")
    if fraction and not all(ch in _CN_DIGITS for ch in fraction):
        return None
    if len(integer) > 1 and all(ch in _CN_DIGITS for ch in integer):
        value = float("".join(str(_CN_DIGITS[ch]) for ch in integer))  # digit by digit: 二〇二一
    else:
        value = _parse_grouped(integer)
        if value is None:
            return None
    if fraction:
        value += float("0." + "".join(str(_CN_DIGITS[ch]) for ch in fraction))
    return value


def _parse_grouped(text: str) -> float | None:
    """Read a numeral split by 亿 and 万 into sections, each below 万."""
    total = 0.0
    rest = text
    for marker in ("亿", "万"):
        if marker in rest:
            head, _, rest = rest.partition(marker)
            head_value = _parse_grouped(head) if head else 1
            if head_value is None:
                return None
            total += head_value * _CN_SECTIONS[marker]
    if rest:
        rest = rest.lstrip("零〇")
        section = _parse_section(rest) if rest else 0
        if section is None:
            return None
        total += section
    return total
