"""The scaled bench corpus keeps its promise: pages of one seed are distinct articles to the
warehouse's near-duplicate folding, and the planted near-duplicates are near-duplicates."""

from __future__ import annotations

import itertools
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.make_corpus import (
    _SENTENCE,
    SEED_DIRS,
    Generator,
    Plan,
    _sentences,
    generate,
    load_seeds,
    make_sources,
    read_manifest,
)
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


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(st.text(alphabet="ab .!?。！？\n\t", max_size=60))
def test_sentences_are_those_of_the_lazy_pattern(text: str) -> None:
    """``_sentences`` only stops the lazy pattern's search at the last sentence end; ends at '.'
    before the cut, spaces and the text's end all keep their meaning."""
    assert _sentences(text) == _SENTENCE.findall(text)


def test_a_long_text_node_without_an_end_keeps_its_sentences() -> None:
    """A real page's 174,219-character text node without a sentence end in its tail took the lazy
    pattern's findall 342 s (a search from every position of the tail)."""
    text = "第一句。第二句! " + "无句末" * 60_000
    assert _sentences(text) == ["第一句。", "第二句!"]


def test_a_corpus_rewrites_the_seed_pages_it_is_given(tmp_path: Path) -> None:
    """``seed_dirs`` (``--seeds``) picks the real pages a corpus is made of, as a full-size variant
    of the bench needs; a corpus of other seeds is made anew, not reused."""
    pages = tmp_path / "seeds"
    pages.mkdir()
    chosen = [seed.name for seed in load_seeds()[:2]]
    for folder in SEED_DIRS:
        for name in chosen:
            if (folder / f"{name}.html").exists():
                shutil.copy(folder / f"{name}.html", pages)
    made = generate(tmp_path / "corpus", 20, seed_dirs=(pages,))
    assert made["seed_pages"] == chosen
    assert {entry.seed for entry in read_manifest(tmp_path / "corpus")} == set(chosen)
    assert "reused" not in generate(tmp_path / "corpus", 20)
