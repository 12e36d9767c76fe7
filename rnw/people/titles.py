"""Split the words in front of a name into organisation and job title.

"天津社会科学院资源环境与生态研究所副所长" -> ("天津社会科学院资源环境与生态研究所", "副所长");
"中青旅控股股份有限公司党委书记、董事长" -> (company, "党委书记、董事长"); "著名导演" -> (None, "著名导演").
The title is read from the right: a title core, an optional qualifier, then more titles joined by 、 or 兼.
"""

from __future__ import annotations

import re

from rnw.people.config import (
    MAX_TITLE_QUALIFIER,
    ORG_SUFFIX_KINDS,
    SPEAKER_OPENERS,
    TITLE_CORES,
    TITLE_JOINERS,
    TITLE_MODIFIERS,
)
from rnw.people.organizations import OrgIndex, full_name_spans

_CORES = sorted(set(TITLE_CORES), key=len, reverse=True)
_CORE_TUPLE = tuple(_CORES)
_MODIFIERS = sorted(TITLE_MODIFIERS, key=len, reverse=True)
_SUFFIX_RE = re.compile(
    "(?:"
    + "|".join(map(re.escape, sorted(ORG_SUFFIX_KINDS, key=len, reverse=True)))
    + r")(?:[（(][^（）()]{1,6}[）)])?"
)
# Function characters that can open the words before a title but never belong to the title.
_FUNCTION_CHARS = "由在据对与和从向为被把将而但并也还就"
_OPENERS = tuple(sorted(SPEAKER_OPENERS, key=len, reverse=True))


def ends_with_title(text: str) -> str | None:
    """The title core ``text`` ends with (longest), or None."""
    if not text.endswith(_CORE_TUPLE):
        return None
    return next((core for core in _CORES if text.endswith(core)), None)


def split_title(prefix: str) -> tuple[str | None, str]:
    """(title, rest): the job title that ends ``prefix`` and whatever stands before it."""
    rest = prefix
    title_start = len(prefix)
    while True:
        core = ends_with_title(rest)
        if core is None:
            break
        before = rest[: -len(core)]
        qualifier = _qualifier(before)
        rest = before[: len(before) - len(qualifier)]
        title_start = len(rest)
        if rest and rest[-1] in TITLE_JOINERS and ends_with_title(rest[:-1]):
            rest = rest[:-1]
            continue
        break
    title = prefix[title_start:] or None
    return title, prefix[:title_start]


def _qualifier(before: str) -> str:
    """Words between an organisation and a title core that belong to the title ("首席金融市场")."""
    if not before or _ends_with_suffix(before):
        return ""
    cut = max(before.rfind(j) for j in TITLE_JOINERS + "、，,的")
    last_suffix = max((m.end() for m in _SUFFIX_RE.finditer(before)), default=-1)
    start = max(cut + 1, last_suffix, 0)
    tail = before[start:]
    tail = tail.lstrip(_FUNCTION_CHARS)
    if 0 < len(tail) <= MAX_TITLE_QUALIFIER and (start > 0 or len(tail) <= MAX_TITLE_QUALIFIER // 2):
        return before[len(before) - len(tail) :]
    for modifier in _MODIFIERS:
        if before.endswith(modifier):
            return modifier
    return ""


def _ends_with_suffix(text: str) -> bool:
    return any(m.end() == len(text) for m in _SUFFIX_RE.finditer(text))


def strip_openers(text: str) -> str:
    """Drop clause openers ("据", "对此") in front of a speaker."""
    changed = True
    while changed:
        changed = False
        for opener in _OPENERS:
            if text.startswith(opener) and len(text) > len(opener) + 1:
                text, changed = text[len(opener) :], True
    return text


def resolve_org(rest: str, orgs: OrgIndex) -> str | None:
    """The organisation named by the words before a title, resolved to its full name within the article.

    Known full names of the article win, then explicit short names, then a tail contained in a known
    full name ("清科环保"), then a new suffix-bearing name that ends the words.
    """
    rest = rest.rstrip("的")
    rest = re.split(r"[、，,的]", rest)[-1] if rest else rest
    rest = strip_openers(rest)
    if len(rest) < 2:
        return None
    tails = [rest[i:] for i in range(len(rest) - 1)]
    for tail in tails:
        if tail in orgs.aliases:
            return orgs.aliases[tail]
    for name in sorted(orgs.full_names, key=len, reverse=True):
        if rest.endswith(name):
            return name
    for tail in tails:
        if len(tail) >= 3 and orgs.resolve(tail):
            return orgs.resolve(tail)
    spans = [(s, e) for s, e in full_name_spans(rest) if e == len(rest)]
    return rest[spans[0][0] :] if spans else None
