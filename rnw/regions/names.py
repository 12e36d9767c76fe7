"""Derive the short name and aliases people write for an official division name.

News text rarely uses the full official name (凉山彝族自治州); it uses 凉山 or 凉山州. These rules turn
one official name into every written form we match, and are shared by the seed builder and the tests.
"""

from __future__ import annotations

from rnw.regions.config import (
    AUTONOMOUS_SHORT_SUFFIX,
    COUNTY_SUFFIXES,
    ETHNIC_GROUPS,
    MIN_SHORT_NAME_CHARS,
    PREFECTURE_SUFFIXES,
    PROVINCE_SUFFIXES,
)

_SUFFIXES_BY_LEVEL = {
    "province": PROVINCE_SUFFIXES,
    "prefecture": PREFECTURE_SUFFIXES,
    "county": COUNTY_SUFFIXES,
}
_ETHNIC_SORTED = sorted(ETHNIC_GROUPS, key=len, reverse=True)


def _strip_ethnic(stem: str) -> str:
    """Remove trailing ethnic-group words (彝族, 黎族苗族, 保安族东乡族撒拉族) left before 自治X."""
    changed = True
    while changed and stem.endswith("族"):
        changed = False
        for group in _ETHNIC_SORTED:
            token = group + "族"
            if stem.endswith(token) and len(stem) > len(token):
                stem = stem[: -len(token)]
                changed = True
                break
    return stem


def short_name(name: str, level: str) -> str:
    """Name without its administrative type; the name itself when too little would remain."""
    for suffix in sorted(_SUFFIXES_BY_LEVEL[level], key=len, reverse=True):
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = _strip_ethnic(name[: -len(suffix)])
            stem = stem.removesuffix("维吾尔")
            return stem if len(stem) >= MIN_SHORT_NAME_CHARS else name
    return name


def aliases(name: str, level: str) -> list[str]:
    """Written forms besides the official name and the short name: 凉山州 for 凉山彝族自治州."""
    short = short_name(name, level)
    found: list[str] = []
    for long_suffix, short_suffix in AUTONOMOUS_SHORT_SUFFIX.items():
        if name.endswith(long_suffix) and short != name:
            found.append(short + short_suffix)
    return [alias for alias in found if alias not in (name, short)]
