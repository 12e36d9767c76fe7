"""The topic taxonomy: one row per topic in ``dbt_project/seeds/topics/topic_taxonomy.csv``.

The seed is the single source of truth, so the warehouse's topic dimension and the scorer can never
disagree: dbt loads the same file as a table, and this module reads it for scoring.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TAXONOMY_PATH = (
    Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "topics" / "topic_taxonomy.csv"
)
KEYWORD_SEPARATOR = "|"


@dataclass(frozen=True)
class Topic:
    """A topic with its Chinese keywords and a weight that scales its score against other topics."""

    topic_id: str
    name_en: str
    name_zh: str
    keywords: tuple[str, ...]
    weight: float


@lru_cache(maxsize=4)
def load_taxonomy(path: Path = TAXONOMY_PATH) -> tuple[Topic, ...]:
    """Topics from the seed CSV, in file order."""
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Topic(
                topic_id=row["topic_id"],
                name_en=row["name_en"],
                name_zh=row["name_zh"],
                keywords=tuple(k.strip() for k in row["keywords"].split(KEYWORD_SEPARATOR) if k.strip()),
                weight=float(row["weight"]),
            )
            for row in csv.DictReader(handle)
        )
