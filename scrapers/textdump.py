"""Split plain-text page dumps into articles.

Scraped text dumps put each story under a 【headline】 line; after the last story comes page
chrome (comment bars, "热门推荐" lists whose items may also hold 【...】 fragments). A story starts
only at a headline that opens a line, and ends at the next one or at the first chrome line.
"""

from __future__ import annotations

import re
import unicodedata

from scrapers.article import ExtractedArticle, Section
from scrapers.boilerplate import LIST_ITEM, is_end_of_article
from scrapers.credits import strip_trailing_credits

_HEADLINE = re.compile(
    r"^[ \t\u3000]*【(?P<title>[^【】\n]{2,120})】[ \t\u3000]*(?P<rest>[^\n]*)$", re.MULTILINE
)
_SENTENCE_END = re.compile(r"[。！？!?；;…”」）)]$")
# A story shorter than this is a teaser or a list fragment, not an article.
MIN_BODY_CHARS = 80
# Headings and highlight lines are short and carry no sentence-final punctuation.
MAX_HEADING_CHARS = 40
# An unpunctuated line longer than this is still prose (some dumps drop final punctuation).
MAX_PROSE_FREE_CHARS = 80


def normalize_line(line: str) -> str:
    """Fold the white-space noise that differs between copies of the same story."""
    line = line.replace("\u00a0", " ").replace("\u3000", " ").replace("\u200b", "")
    return re.sub(r"[ \t]+", " ", line).strip()


def split_text_dump(text: str) -> list[ExtractedArticle]:
    """Every 【headline】 story in ``text``; one untitled article when the dump has no headline."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    heads = list(_HEADLINE.finditer(text))
    if not heads:
        article = _build(title=None, first_line="", block=text)
        return [article] if article else []
    articles = []
    for head, nxt in zip(heads, [*heads[1:], None], strict=True):
        block = text[head.end() : nxt.start() if nxt else len(text)]
        article = _build(normalize_line(head.group("title")), normalize_line(head.group("rest")), block)
        if article:
            articles.append(article)
    return articles


def _build(title: str | None, first_line: str, block: str) -> ExtractedArticle | None:
    lines: list[str] = []
    for raw in block.split("\n"):
        if is_end_of_article(raw):
            break
        if LIST_ITEM.match(raw):
            continue
        line = normalize_line(raw)
        if line:
            lines.append(line)
    # Lines between the headline and the first prose paragraph are highlights (the subtitle),
    # except the last of them, which heads the first section.
    highlights = [first_line] if first_line else []
    leading = 0
    while leading < len(lines) and not _is_prose(lines[leading]):
        leading += 1
    if leading < len(lines):
        highlights.extend(lines[: max(leading - 1, 0)])
        lines = lines[max(leading - 1, 0) :]
    body, credits, links = strip_trailing_credits("\n\n".join(lines))
    if len(body) < MIN_BODY_CHARS:
        return None
    return ExtractedArticle(
        title=title,
        body_text=body,
        subtitle="\n".join(highlights) or None,
        authors=[c.name for c in credits if c.role in {"reporter", "author"}],
        credits=credits,
        sections=find_sections(body),
        links=links,
    )


def _is_prose(line: str) -> bool:
    return len(line) > MAX_PROSE_FREE_CHARS or bool(_SENTENCE_END.search(line))


def _is_heading_like(line: str) -> bool:
    return len(line) <= MAX_HEADING_CHARS and not _SENTENCE_END.search(line)


def find_sections(body: str) -> list[Section]:
    """Short unpunctuated paragraphs inside the body are section headings; offsets index ``body``."""
    sections = []
    pos = 0
    for para in body.split("\n\n"):
        if _is_heading_like(para) and pos + len(para) < len(body):
            sections.append(Section(heading=para, char_start=pos, char_end=pos + len(para)))
        pos += len(para) + 2
    return sections
