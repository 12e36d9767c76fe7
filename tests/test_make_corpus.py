"""The scaled bench corpus keeps its promise: pages of one seed are distinct articles to the
warehouse's near-duplicate folding, and the planted near-duplicates are near-duplicates."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from bench.make_corpus import Generator, Plan, load_seeds, make_sources
from rnw.neardup import DEFAULT_THRESHOLD, jaccard, shingles
from scrapers.extraction import extract_html


def _body(html: str) -> str:
    return max((a.body_text for a in extract_html(html)), key=len, default="")


@pytest.fixture(scope="module")
def generator() -> Generator:
    return Generator(load_seeds(), make_sources(1000), 7)


def test_pages_of_one_seed_stay_well_below_the_folding_threshold(generator: Generator) -> None:
    """Pairs near the threshold would all be LSH candidates needing the exact check, and pairs above
    it chain pages of one seed into one ever larger near-duplicate group: a worst case no real
    archive of distinct stories has. Every article of 30 pages per seed, compared pairwise (435
    pairs per article slot): a seed of 11 sentences had 3 above 0.8 and a forum page had posts that
    were the same on every page before each paragraph borrowed its own sentences."""
    assert len(generator.seeds) >= 10
    for n, seed in enumerate(generator.seeds):
        bodies = [
            shingles(article.body_text)
            for k in range(30)
            for article in extract_html(generator.page(Plan(1000 + 37 * n + k, seed, date(2021, 5, 1), 0)))
        ]
        worst = max(jaccard(a, b) for a, b in itertools.combinations(bodies, 2))
        assert worst < DEFAULT_THRESHOLD - 0.1, seed.name


def test_a_planted_near_duplicate_folds(generator: Generator) -> None:
    plan = Plan(4242, generator.seeds[0], date(2022, 3, 1), 0)
    original = shingles(_body(generator.page(plan)))
    copy = shingles(_body(generator.page(plan, copy=4243)))
    assert jaccard(original, copy) >= DEFAULT_THRESHOLD
