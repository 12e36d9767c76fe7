"""Credit lines that are still inside an article's text, and credit lines the shared parser declines.

The shared ``scrapers.credits.parse_credit_line`` accepts only lines that start with a role label.
Pages also write "新京报记者 彭冲 山东冠县报道", "新华社北京5月19日电（刘艺、杨吉）", "文丨政能亮特约评论员 韩涵"
or end a story with a bare "（郭旭）"; this module reads those as well, always keeping only tokens that
are personal names, so "照片由本报视觉部提供" never becomes a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rnw.people.config import CREDIT_LABEL_ROLES, CREDIT_NOISE, CREDIT_ROLE_MAP, MAX_CREDIT_LINE
from rnw.people.names import is_person_name
from scrapers.article import Credit
from scrapers.credits import parse_credit_line

_LABELS = sorted(CREDIT_LABEL_ROLES, key=len, reverse=True)
_LABEL_RE = re.compile("|".join(map(re.escape, _LABELS)))
_NOISE_RE = re.compile(CREDIT_NOISE)
_DATELINE = re.compile(r"电\s*[（(](?P<inner>[^（）()]{2,40})[）)]")
_PAREN = re.compile(r"[（(](?P<inner>[^（）()]{2,60})[）)]")
_PHOTO = re.compile(r"(?P<names>[\u4e00-\u9fff]{2,4}(?:[、\s][\u4e00-\u9fff]{2,4})*)\s*摄(?![\u4e00-\u9fff])")


@dataclass(frozen=True)
class FoundCredit:
    """A credit found in the text: the person, the role the people stage uses, and where it sits."""

    credit: Credit
    char_start: int


def credits_in_line(line: str) -> list[Credit]:
    """Credits of one credit line: the shared parser first, then the looser label reading."""
    parsed = parse_credit_line(line)
    if parsed:
        return parsed
    return [c for c, _ in _labelled_credits(line)]


def find_credits_in_text(text: str) -> list[FoundCredit]:
    """Credits written inside the text: short credit lines, datelines and credit parentheticals."""
    found: list[FoundCredit] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped and len(stripped) <= MAX_CREDIT_LINE and "。" not in stripped:
            base = offset + line.index(stripped[0])
            for credit, at in _labelled_credits(stripped):
                found.append(FoundCredit(credit, base + at))
        offset += len(line)
    for match in _DATELINE.finditer(text):
        found.extend(_paren_credits(match.group("inner"), match.start("inner"), bare_role="reporter"))
    for match in _PAREN.finditer(text):
        inner = match.group("inner")
        bare = "reporter" if _ends_paragraph(text, match.end()) else None
        if _LABEL_RE.search(inner) or bare:
            found.extend(_paren_credits(inner, match.start("inner"), bare_role=bare))
    # Every photo credit contains "摄": skip the (slow) scan when the text has none.
    for match in _PHOTO.finditer(text) if "摄" in text else ():
        for name, at in _names_with_offsets(match.group("names"), match.start("names")):
            found.append(FoundCredit(Credit("photo", name), at))
    return _dedupe(found)


def _labelled_credits(line: str) -> list[tuple[Credit, int]]:
    """(credit, offset in line) for every name after a role label in a short line."""
    matches = list(_LABEL_RE.finditer(line))
    credits: list[tuple[Credit, int]] = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        role = CREDIT_LABEL_ROLES[match.group(0)]
        segment = line[match.end() : end]
        for name, at in _names_with_offsets(segment, match.end()):
            credits.append((Credit(role, name), at))
    return credits


def _paren_credits(inner: str, base: int, bare_role: str | None) -> list[FoundCredit]:
    labelled = [FoundCredit(c, base + at) for c, at in _labelled_credits(inner)]
    if labelled or bare_role is None:
        return labelled
    names = _names_with_offsets(inner, base)
    tokens = [t for t in re.split(r"[\s、，,]+", _NOISE_RE.sub(" ", inner)) if t]
    if not names or len(names) != len(tokens):
        return []
    return [FoundCredit(Credit(bare_role, name), at) for name, at in names]


def _names_with_offsets(segment: str, base: int) -> list[tuple[str, int]]:
    """Person names among the tokens of a credit segment, with their offsets."""
    cleaned = _NOISE_RE.sub(lambda m: " " * len(m.group(0)), segment)
    cleaned = re.sub(r"[:：/丨｜|【】\[\]（）()]", " ", cleaned)
    names: list[tuple[str, int]] = []
    for token in re.finditer(r"[^\s、，,;；]+", cleaned):
        word = token.group(0)
        if is_person_name(word):
            names.append((word, base + token.start()))
    return names


def _ends_paragraph(text: str, end: int) -> bool:
    rest = text[end : end + 40]
    return not rest.strip() or rest.startswith(("\n", "\r")) or rest.lstrip().startswith(("【", "http"))


def _dedupe(found: list[FoundCredit]) -> list[FoundCredit]:
    seen: set[tuple[str, str]] = set()
    unique: list[FoundCredit] = []
    for item in sorted(found, key=lambda f: f.char_start):
        key = (CREDIT_ROLE_MAP.get(item.credit.role, item.credit.role), item.credit.name)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique
