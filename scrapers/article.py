"""The one shape every extractor returns, whether the page was HTML or a plain-text dump."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Credit:
    """A person credited by the article: role is reporter, correspondent, editor, author or photo."""

    role: str
    name: str


@dataclass(frozen=True)
class Section:
    """A heading inside the body; offsets index ``ExtractedArticle.body_text``."""

    heading: str
    char_start: int
    char_end: int


@dataclass
class ExtractedArticle:
    title: str | None
    body_text: str
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    published_at: datetime | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    sections: list[Section] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
