"""Keyword scoring of articles and sections against the topic taxonomy.

A keyword's first occurrence counts most and repeats count less (1 + ln n), so an article about one
subject that mentions many of its keywords beats one that repeats a single word. Scores are divided by
the text length in thousands of characters so long and short articles are comparable; ranks are
within the article (1 = top topic).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick

from rnw.topics.taxonomy import TAXONOMY_PATH, Topic, load_taxonomy

CHARS_PER_UNIT = 1000
MIN_SCORE = 0.0
# News writing puts the subject in the headline and first paragraph (inverted pyramid): keyword hits
# in the lead count this many times more.
LEAD_CHARS = 200
LEAD_WEIGHT = 2.0


@dataclass(frozen=True)
class TopicScore:
    topic_id: str
    score: float
    rank: int


@dataclass(frozen=True)
class SectionTopics:
    heading: str
    char_start: int
    char_end: int
    scores: list[TopicScore]


@dataclass
class ArticleTopics:
    """Topic scores of the whole article and of each section; only topics with a keyword hit appear."""

    scores: list[TopicScore]
    sections: list[SectionTopics] = field(default_factory=list)

    @property
    def top_topic(self) -> str | None:
        return self.scores[0].topic_id if self.scores else None


def score_topics(
    text: str, sections: Sequence[tuple[str, int, int]] = (), taxonomy_path: Path = TAXONOMY_PATH
) -> ArticleTopics:
    """Score ``text`` and each (heading, char_start, char_end) section of it against the taxonomy."""
    taxonomy = load_taxonomy(taxonomy_path)
    section_scores = [
        SectionTopics(heading, start, end, _rank(text[start:end], taxonomy))
        for heading, start, end in sections
    ]
    return ArticleTopics(scores=_rank(text, taxonomy), sections=section_scores)


def _rank(text: str, taxonomy: Sequence[Topic]) -> list[TopicScore]:
    units = max(1.0, len(text) / CHARS_PER_UNIT)
    index = _taxonomy_index(taxonomy)
    lead = text[:LEAD_CHARS]
    # Keywords that do not occur add nothing, so each topic sums only its keywords found in the text,
    # in keyword order (the same additions in the same order as looping over every keyword).
    found: dict[int, list[int]] = {}
    for keyword in index.present(text):
        for topic_at, keyword_at in index.places[keyword]:
            found.setdefault(topic_at, []).append(keyword_at)
    raw = []
    for topic_at, topic in enumerate(taxonomy):
        total = 0.0
        if topic_at in found:
            for keyword_at in sorted(found[topic_at]):
                total += _keyword_score(text, lead, topic.keywords[keyword_at])
        raw.append((topic.topic_id, total * topic.weight / units))
    hits = sorted((item for item in raw if item[1] > MIN_SCORE), key=lambda item: (-item[1], item[0]))
    return [
        TopicScore(topic_id, round(score, 4), rank) for rank, (topic_id, score) in enumerate(hits, start=1)
    ]


def _raw_score(text: str, topic: Topic) -> float:
    """A topic's score before length normalisation (reference form of what ``_rank`` computes)."""
    lead = text[:LEAD_CHARS]
    total = 0.0
    for keyword in topic.keywords:
        total += _keyword_score(text, lead, keyword)
    return total * topic.weight


def _keyword_score(text: str, lead: str, keyword: str) -> float:
    total = 0.0
    count = text.count(keyword)
    if count:
        total += 1.0 + math.log(count)
    if keyword in lead:
        total += LEAD_WEIGHT - 1.0
    return total


class _TaxonomyIndex:
    """Every keyword of a taxonomy in one Aho-Corasick automaton, with where each keyword sits."""

    def __init__(self, taxonomy: Sequence[Topic]) -> None:
        self.taxonomy = taxonomy
        self.places: dict[str, list[tuple[int, int]]] = {}
        for topic_at, topic in enumerate(taxonomy):
            for keyword_at, keyword in enumerate(topic.keywords):
                if keyword:
                    self.places.setdefault(keyword, []).append((topic_at, keyword_at))
        self.automaton: ahocorasick.Automaton | None = None
        if self.places:
            self.automaton = ahocorasick.Automaton()
            for keyword in self.places:
                self.automaton.add_word(keyword, keyword)
            self.automaton.make_automaton()

    def present(self, text: str) -> set[str]:
        """The keywords that occur in ``text``, in one pass over it."""
        if self.automaton is None or not text:
            return set()
        return {keyword for _, keyword in self.automaton.iter(text)}


_INDEXES: dict[int, _TaxonomyIndex] = {}


def _taxonomy_index(taxonomy: Sequence[Topic]) -> _TaxonomyIndex:
    """Built once per taxonomy object (``load_taxonomy`` caches the object per path)."""
    index = _INDEXES.get(id(taxonomy))
    if index is None or index.taxonomy is not taxonomy:
        if len(_INDEXES) >= 8:
            _INDEXES.clear()
        index = _INDEXES[id(taxonomy)] = _TaxonomyIndex(taxonomy)
    return index
