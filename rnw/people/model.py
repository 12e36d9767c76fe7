"""The records the people stage hands to the warehouse: one per person or organisation mention."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PersonMention:
    """A person named by an article.

    ``role`` is 'reporter', 'correspondent', 'editor', 'quoted' or 'mentioned'. ``char_start`` is
    None when the person comes only from credits that are not part of the body text. ``quote_text`` is
    the first thing the person said (the words in “ ” when the article quotes directly, else the reported
    clause); ``quotes`` keeps every one of them.
    """

    name: str
    role: str
    title: str | None = None
    organization: str | None = None
    char_start: int | None = None
    quote_text: str | None = None
    quotes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OrgMention:
    """One occurrence of an organisation: ``name`` is the full name, ``surface`` what the text wrote."""

    name: str
    surface: str
    char_start: int
    kind: str
