"""Credit lines: who wrote, reported, edited or photographed an article.

Credits are metadata, not body text: the same story printed with and without its
"(记者 ...)" line must fold into one article, and later stages (people) need the names with roles.
Non-person credits ("照片由本报视觉部提供") name departments, not people, and are dropped.
"""

from __future__ import annotations

import re

from scrapers.article import Credit

# Longest labels first so that 本报记者 wins over 记者.
_ROLE_LABELS: list[tuple[str, str]] = [
    ("本报特约记者", "reporter"),
    ("本报见习记者", "reporter"),
    ("本报实习记者", "reporter"),
    ("本报记者", "reporter"),
    ("特约记者", "reporter"),
    ("见习记者", "reporter"),
    ("实习记者", "reporter"),
    ("融媒体记者", "reporter"),
    ("全媒体记者", "reporter"),
    ("新华社记者", "reporter"),
    ("记者", "reporter"),
    ("本报通讯员", "correspondent"),
    ("通讯员", "correspondent"),
    ("责任编辑", "editor"),
    ("责编", "editor"),
    ("编辑", "editor"),
    ("审核", "editor"),
    ("校对", "editor"),
    ("作者", "author"),
    ("撰文", "author"),
    ("文/图", "author"),
    ("文 / 图", "author"),
    ("文/", "author"),
    ("文／", "author"),
    ("摄影", "photo"),
    ("摄", "photo"),
]
_LABEL_RE = "|".join(re.escape(label) for label, _ in _ROLE_LABELS)
_ROLE_OF = dict(_ROLE_LABELS)
_LABEL_SPLIT = re.compile(rf"({_LABEL_RE})\s*[:：]?\s*")
# A Chinese personal name: 2-4 Han characters, or a transcribed name with a middle dot.
_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$|^[\u4e00-\u9fff]{1,6}[·•][\u4e00-\u9fff]{1,8}$")
_NON_PERSON = re.compile(r"由.+提供|提供$|供图|资料图|视觉部|图片来源|来源[:：]")
_TOKEN_SPLIT = re.compile(r"[\s、，,;；]+")
_PAREN_CREDIT = re.compile(rf"[（(]\s*(?:{_LABEL_RE})[^（()）]*[）)]")
_MAX_CREDIT_LINE = 120


def parse_credit_line(line: str) -> list[Credit] | None:
    """Credits named in one line, or None when the line is not a credit line.

    A credit line starts with a role label (optionally inside parentheses) and holds only names
    and non-person credits after it; prose that merely contains "记者" is not one.
    """
    stripped = line.strip().strip("()（）[]【】 ").strip()
    if not stripped or len(stripped) > _MAX_CREDIT_LINE:
        return None
    # `stripped` starts with a non-space: unless a label opens it, parts[0] below is prose.
    if not _LABEL_SPLIT.match(stripped):
        return None
    parts = _LABEL_SPLIT.split(stripped)
    if parts[0].strip():
        return None  # text before the first label: prose, not a credit line
    credits: list[Credit] = []
    for label, names in zip(parts[1::2], parts[2::2], strict=True):
        role = _ROLE_OF[label]
        for token in _TOKEN_SPLIT.split(names.strip()):
            token = token.strip("()（）")
            if not token or _NON_PERSON.search(token):
                continue
            if not _NAME.match(token):
                return None  # a word that is neither a name nor a department credit: prose
            credits.append(Credit(role=role, name=token))
    return credits


def strip_trailing_credits(body: str) -> tuple[str, list[Credit], list[str]]:
    """Remove trailing links and credit lines or parentheticals from ``body``.

    Returns the body without them, the credits found (in reading order) and the links.
    Only the tail is touched: a credit in the middle of the text is the people stage's job.
    """
    text = body.rstrip()
    credits: list[Credit] = []
    links: list[str] = []
    while True:
        tail_url = re.search(r"\s*(https?://\S+)\s*$", text)
        if tail_url:
            links.insert(0, tail_url.group(1))
            text = text[: tail_url.start()].rstrip()
            continue
        paren = _last_paren_credit(text)
        if paren is not None:
            start, found = paren
            credits[:0] = found
            text = text[:start].rstrip()
            continue
        last_line_start = text.rfind("\n") + 1
        found = parse_credit_line(text[last_line_start:])
        if found is not None and last_line_start > 0:
            credits[:0] = found
            text = text[:last_line_start].rstrip()
            continue
        break
    return text, credits, links


def _last_paren_credit(text: str) -> tuple[int, list[Credit]] | None:
    """A "(记者 ...)" parenthetical that ends the text, with its credits."""
    matches = list(_PAREN_CREDIT.finditer(text))
    if not matches or matches[-1].end() != len(text):
        return None
    match = matches[-1]
    found = parse_credit_line(match.group(0))
    return (match.start(), found) if found is not None else None
