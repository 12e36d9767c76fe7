"""Organisation names in Chinese news text, with short names resolved to the full name.

There is no capitalisation to lean on, so a name is found from its ending (公司, 研究所, 局 ...) and
walked back to where the clause or a function word begins. Within one article, a short name is the
same organisation as the full name it abbreviates: explicitly ("（简称“清科环保”）") or because it is
the full name without its place prefix and legal form.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import rjieba

from rnw.people.config import (
    ALIAS_MARKERS,
    LEGAL_FORM_ENDINGS,
    MAX_ORG_CHARS,
    MIN_SHORT_NAME,
    ORG_CUT_TAGS,
    ORG_CUT_WORDS,
    ORG_FALSE_ENDINGS,
    ORG_FOLLOWERS,
    ORG_GENERIC_DETERMINERS,
    ORG_GENERIC_HEADS,
    ORG_GENERIC_NAMES,
    ORG_INITIAL_WORDS,
    ORG_INNER_VERBS,
    ORG_LEADING_WORDS,
    ORG_SUFFIX_KINDS,
    PLACE_PREFIXES,
    SHORT_SUFFIX_MAX,
    TITLE_CORES,
)
from rnw.people.model import OrgMention

_SUFFIXES = sorted(ORG_SUFFIX_KINDS, key=len, reverse=True)
_SUFFIX_RE = re.compile("|".join(map(re.escape, _SUFFIXES)))
_CLAUSE_BREAK = set("，。；：！？,.;:!?“”\"'‘’、\n\r\t \u3000《》【】[]|/")
_TITLE_CORES = tuple(sorted(TITLE_CORES, key=len, reverse=True))
# Longest core first, so the alternation returns the longest core starting at a position.
_TITLE_CORE_RE = re.compile("|".join(re.escape(c) for c in _TITLE_CORES))
_FOLLOWERS = tuple(
    sorted(set(ORG_FOLLOWERS) | set(ORG_LEADING_WORDS) | set(TITLE_CORES), key=len, reverse=True)
)
_COUNTED = re.compile(r"[0-9０-９一二三四五六七八九十百千万两几多]+[家个所座名类级]")
_ALIAS_AFTER = re.compile(
    r"^[（(](?:"
    + "|".join(ALIAS_MARKERS)
    + r")?[:：]?[“\"「]?(?P<short>[^（）()“”\"「」，,。]{2,12}?)[”\"」]?[）)]"
)
# The same pattern without its anchor, to match at an offset of the whole text (``match`` anchors).
_ALIAS_AT = re.compile(_ALIAS_AFTER.pattern.removeprefix("^"))
_LATIN_ALIAS = re.compile(r"^[A-Za-z][A-Za-z0-9&]{1,11}$")
_MAX_PAREN_INSIDE = 6
_SUFFIX_TUPLE = tuple(_SUFFIXES)
_PAREN_END = re.compile(r"[（(][^（）()]*[）)]$")
_PLACE_PAREN = re.compile(r"[（(]([^（）()]{2,4})[）)]")
_CLAUSE_SPLIT = re.compile(r"[，。；：！？,.;:!?“”\"、\s（(]")
_DIGIT = re.compile(r"[0-9０-９]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# ORG_LEADING_WORDS by first character, each list in the lexicon's order (the first match wins).
_LEADING_BY_CHAR: dict[str, list[str]] = {}
for _word in ORG_LEADING_WORDS:
    _LEADING_BY_CHAR.setdefault(_word[0], []).append(_word)


@dataclass
class OrgIndex:
    """Organisations of one article: full names in order of appearance and short name -> full name."""

    mentions: list[OrgMention] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)

    @property
    def full_names(self) -> list[str]:
        return list(dict.fromkeys(m.name for m in self.mentions))

    def resolve(self, surface: str) -> str | None:
        """The full name a short or partial name stands for in this article, or None."""
        if surface in self.aliases:
            return self.aliases[surface]
        if surface in self.full_names:
            return surface
        if len(surface) < MIN_SHORT_NAME:
            return None
        containing = [name for name in self.full_names if surface in name]
        return containing[0] if containing else None


@lru_cache(maxsize=4096)
def org_kind(name: str) -> str:
    """The kind an organisation's name ending implies (company, agency, university, ...)."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return ORG_SUFFIX_KINDS[suffix]
    return "organization"


def extract_organizations(text: str) -> list[OrgMention]:
    """Every organisation occurrence in ``text``, short names carrying the full name they stand for."""
    return index_organizations(text).mentions


def index_organizations(text: str) -> OrgIndex:
    """Full-name occurrences, explicit and derived short names, and their occurrences."""
    mentions, aliases = _index_organizations(text)
    return OrgIndex(mentions=list(mentions), aliases=dict(aliases))


@lru_cache(maxsize=4)
def _index_organizations(text: str) -> tuple[tuple[OrgMention, ...], tuple[tuple[str, str], ...]]:
    """Cached (immutable) index: people and organisation extraction both index the same article."""
    index = OrgIndex()
    spans = full_name_spans(text)
    # In order of first appearance: a tie between equally long longer forms goes to the earlier one
    # (a set's order would differ between processes, so between dbt's worker processes).
    names = list(dict.fromkeys(text[start:end] for start, end in sorted(spans)))
    longer_forms = _longer_forms(names)
    for start, end in spans:
        surface = text[start:end]
        name = longer_forms.get(surface, surface)
        index.mentions.append(OrgMention(name=name, surface=surface, char_start=start, kind=org_kind(name)))
        if name != surface:
            index.aliases.setdefault(surface, name)
        alias = _ALIAS_AT.match(text, end)
        if alias and (_has_alias_marker(alias.group(0)) or _LATIN_ALIAS.match(alias.group("short"))):
            index.aliases.setdefault(alias.group("short"), name)
    for name in index.full_names:
        short = derived_short_name(name)
        if short and short != name and short not in index.aliases:
            index.aliases[short] = name
    covered = bytearray(len(text))
    for m in index.mentions:
        covered[m.char_start : m.char_start + len(m.surface)] = b"\x01" * len(m.surface)
    for short, name in index.aliases.items():
        kind = org_kind(name)
        # Non-overlapping occurrences left to right, as re.finditer of the escaped literal finds them.
        at = text.find(short)
        while at >= 0:
            if not covered[at]:
                index.mentions.append(OrgMention(name, short, at, kind))
            at = text.find(short, at + len(short))
    index.mentions.sort(key=lambda m: m.char_start)
    return tuple(index.mentions), tuple(index.aliases.items())


def _longer_form(name: str, names: Sequence[str]) -> str:
    """The longest name in the article that ends with ``name``: "体育运动科学系" after "香港中文大学体育运动科学系";
    of equally long ones, the first in ``names``."""
    longer = [other for other in names if other != name and other.endswith(name)]
    return max(longer, key=len) if longer else name


def _longer_forms(names: Sequence[str]) -> dict[str, str]:
    """``_longer_form`` for every name of ``names`` that has a longer form, in one pass.

    Each name registers under each of its proper suffixes; candidates keep the order of ``names``,
    so ties between equally long forms resolve exactly as ``_longer_form`` resolves them.
    """
    by_suffix: dict[str, list[str]] = {}
    for other in names:
        for k in range(1, len(other)):
            by_suffix.setdefault(other[k:], []).append(other)
    return {name: max(by_suffix[name], key=len) for name in names if name in by_suffix}


def derived_short_name(name: str) -> str | None:
    """A company's everyday name: the full name without place prefix and legal form, if long enough."""
    legal = next((e for e in LEGAL_FORM_ENDINGS if name.endswith(e)), None)
    if legal is None:
        return None
    core = name[: -len(legal)]
    core = _PAREN_END.sub("", core)
    for place in PLACE_PREFIXES:
        if core.startswith(place) and len(core) - len(place) >= MIN_SHORT_NAME + 1:
            core = core[len(place) :]
            break
    return core if len(core) >= MIN_SHORT_NAME + 1 else None


def _has_alias_marker(parenthetical: str) -> bool:
    return any(marker in parenthetical for marker in ALIAS_MARKERS)


def full_name_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every full organisation name in ``text``, nested names dropped."""
    return list(_full_name_spans(text))


@lru_cache(maxsize=64)
def _full_name_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Cached: people and organisation extraction both ask for the same article's spans."""
    # The kept spans never contain one another, so sorted by start they are sorted by end as well:
    # the one span that could contain a candidate and the run of spans a candidate contains are
    # found by bisection.
    starts: list[int] = []
    ends: list[int] = []
    for match in _SUFFIX_RE.finditer(text):
        end = match.end()
        if not _ends_name(text, end, short_suffix=len(match.group(0)) <= SHORT_SUFFIX_MAX):
            continue
        core_match = _TITLE_CORE_RE.match(text, match.start())
        core = core_match.group(0) if core_match else ""
        if len(core) > len(match.group(0)):
            continue  # "党委" of "党委书记" is part of a title, not an organisation ending
        end = _with_place_parenthetical(text, end)
        for start, name_end in _name_spans(text, _clause_start(text, match.start()), match.start(), end):
            if not is_org_name(text[start:name_end]):
                continue
            before = bisect_right(starts, start)
            if before and ends[before - 1] >= name_end:
                continue  # inside a kept span
            first = bisect_left(starts, start)
            last = bisect_right(ends, name_end)
            del starts[first:last], ends[first:last]
            starts.insert(first, start)
            ends.insert(first, name_end)
    return tuple(zip(starts, ends))


def _ends_name(text: str, end: int, short_suffix: bool) -> bool:
    """A suffix ends a name before punctuation or a follower word; a multi-character suffix also when
    no further name ending comes before the clause ends."""
    rest = text[end : end + MAX_ORG_CHARS]
    if not rest or rest[0] in _CLAUSE_BREAK or rest[0] in "（(":
        return True
    if rest.startswith(_FOLLOWERS):
        return True
    if short_suffix:
        return False
    clause = _CLAUSE_SPLIT.split(rest, maxsplit=1)[0]
    return _SUFFIX_RE.search(clause) is None


def _clause_start(text: str, pos: int) -> int:
    """Walk left to the clause start, stepping over a short parenthetical inside the name."""
    i = pos
    while i > 0:
        ch = text[i - 1]
        if ch in "）)":
            open_at = max(text.rfind("（", 0, i - 1), text.rfind("(", 0, i - 1))
            if open_at < 0 or i - 1 - open_at > _MAX_PAREN_INSIDE + 1:
                break
            inside = text[open_at + 1 : i - 1]
            if any(c in _CLAUSE_BREAK for c in inside):
                break
            i = open_at
            continue
        if ch in _CLAUSE_BREAK or ch in "（(":
            break
        i -= 1
        if pos - i > MAX_ORG_CHARS:
            break
    return i


def _with_place_parenthetical(text: str, end: int) -> int:
    """Extend a name over a trailing place in parentheses: "三菱东京日联银行（中国）"."""
    paren = _PLACE_PAREN.match(text[end : end + 6])
    return end + paren.end() if paren and paren.group(1) in PLACE_PREFIXES else end


def _name_spans(text: str, start: int, suffix_start: int, end: int) -> list[tuple[int, int]]:
    """The name(s) ending at ``end``: each begins after the last word that cannot be inside a name.

    Two names joined by 与/和/及 ("天津师范大学与北京师范大学") give two spans.
    """
    tokens = rjieba.tag(text[start:end])
    offsets, pos = [], start
    for word, _ in tokens:
        offsets.append(pos)
        pos += len(word)
    name_start = start
    spans: list[tuple[int, int]] = []
    before_suffix = [i for i, (word, _) in enumerate(tokens) if offsets[i] + len(word) <= suffix_start]
    for i in reversed(before_suffix):
        word, tag = tokens[i]
        after = offsets[i] + len(word)
        if word in ORG_GENERIC_DETERMINERS:
            return spans
        if word in ("与", "和", "及", "、"):
            if text.endswith(_SUFFIX_TUPLE, 0, offsets[i]):
                return [(after, end), *_name_spans(text, start, offsets[i], offsets[i])]
            continue
        if word in "（）()":
            continue
        if word == "的" or word in ORG_CUT_WORDS or tag in ORG_CUT_TAGS or (tag == "f" and len(word) > 1):
            name_start = after
            break
        if tag == "v" and len(word) > 1 and word not in ORG_INNER_VERBS:
            name_start = after
            break
        if tag == "vn" and i + 1 < len(tokens) and tokens[i + 1][1] == "nt":
            name_start = after
            break
    return [(_trim_leading_words(text, name_start, end), end)]


def _trim_leading_words(text: str, start: int, end: int) -> int:
    """Drop clause openers ("据", "记者从") the tagger left in front of the name."""
    changed = True
    while changed and start < end:
        changed = False
        for word in _LEADING_BY_CHAR.get(text[start], ()):
            if text.startswith(word, start) and end - start > len(word) + 1:
                if len(word) == 1 and text.startswith(ORG_INITIAL_WORDS, start):
                    continue
                start += len(word)
                changed = True
                break
    return start


def is_org_name(name: str) -> bool:
    """True when a suffix-bearing phrase names a specific organisation, not a generic noun."""
    if len(name) < 3 or len(name) > MAX_ORG_CHARS or name in ORG_GENERIC_NAMES:
        return False
    if name.endswith(ORG_FALSE_ENDINGS) or name.startswith(ORG_GENERIC_HEADS):
        return False
    if _COUNTED.search(name) or _DIGIT.search(name):
        return False
    return _HAN.search(name) is not None
