"""The hand-annotated gold, the seeds behind the extractor, and the extractor's accuracy floor on the gold."""

import csv
import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from bench.indicators_eval import evaluate, match, region_finder, same_value
from bench.indicators_eval import load_gold as load_gold_with_texts
from rnw.indicators import extract_observations
from rnw.indicators.config import SEED_DIR

GOLD_DIR = Path(__file__).parent / "fixtures" / "indicators"
REGION_ACCURACY_FLOOR = 0.80


def load_gold() -> list[dict]:
    return [json.loads(line) for line in (GOLD_DIR / "gold.jsonl").read_text(encoding="utf-8").splitlines()]


def test_gold_is_large_enough_and_slices_its_texts():
    gold = load_gold()
    corpus = [a for a in gold if not a["id"].startswith("sample-")]
    assert len(corpus) >= 15
    assert {"sample-jingjinji", "sample-liangshan"} <= {a["id"] for a in gold}
    assert sum(len(a["statements"]) for a in gold) >= 150
    for article in gold:
        text = (GOLD_DIR / article["text_file"]).read_text(encoding="utf-8")
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == article["sha256"], article["id"]
        for statement in article["statements"]:
            assert text[statement["char_start"] : statement["char_end"]] == statement["text"]


def test_gold_matches_its_hand_written_source():
    """gold.jsonl is generated: a hand edit of either file alone would make them disagree."""
    from tests.fixtures.indicators.build_gold import build

    assert build() == load_gold()


def test_every_seed_and_column_is_documented():
    documented = yaml.safe_load((SEED_DIR / "_indicators__seeds.yml").read_text(encoding="utf-8"))["seeds"]
    described = {seed["name"]: [column["name"] for column in seed["columns"]] for seed in documented}
    for path in SEED_DIR.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert described.get(path.stem) == header, path.name


def test_unit_factors_are_positive_and_units_unique():
    with (SEED_DIR / "units.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len({row["unit"] for row in rows}) == len(rows)
    assert all(float(row["factor"]) > 0 for row in rows)


def test_accuracy_floor_on_the_gold():
    correct = predicted = expected = period_ok = 0
    for article in load_gold():
        text = (GOLD_DIR / article["text_file"]).read_text(encoding="utf-8")
        published = date.fromisoformat(article["published"]) if article["published"] else None
        found = extract_observations(text, published=published, primary_region=article["primary_region"])
        pairs, _, _ = match(found, article["statements"])
        predicted += len(found)
        expected += len(article["statements"])
        for obs, statement in pairs:
            if (
                same_value(obs.value, statement["value"])
                and obs.normalized_unit == statement["normalized_unit"]
            ):
                correct += 1
                period_ok += obs.period_year == statement["period_year"]
    assert correct / predicted >= 0.90
    assert correct / expected >= 0.85
    assert period_ok / correct >= 0.80


def test_region_accuracy_floor_on_the_gold():
    """Region attribution with rnw.regions' mentions and the annotator's primary region (issue #6)."""
    find_regions = region_finder()
    if find_regions is None:
        pytest.skip("rnw.regions is not available")
    totals = evaluate(load_gold_with_texts(), find_regions, auto_primary=False)["totals"]
    assert totals["region_ok"] / totals["correct"] >= REGION_ACCURACY_FLOOR
