"""The hand-made gold set: checkable offsets, and the matcher's quality on it (corpus pages + sample)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from rnw.regions import RegionGazetteer
from rnw.regions.gazetteer import load_regions

GOLD = Path(__file__).parent / "fixtures" / "regions" / "gold.jsonl"


@pytest.fixture(scope="module")
def gold() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="module")
def gazetteer() -> RegionGazetteer:
    return RegionGazetteer.load()


def published(record: dict) -> date | None:
    return date.fromisoformat(record["published"]) if record["published"] else None


def test_gold_offsets_are_checkable(gold: list[dict]) -> None:
    known = load_regions()
    assert len(gold) >= 27
    for record in gold:
        assert hashlib.sha256(record["text"].encode("utf-8")).hexdigest() == record["text_sha256"]
        for mention in record["mentions"]:
            assert record["text"][mention["char_start"] : mention["char_end"]] == mention["surface"]
            assert mention["region_code"] in known
        assert record["primary_region"] is None or record["primary_region"] in known


def test_mention_precision_and_recall_on_gold(gold: list[dict], gazetteer: RegionGazetteer) -> None:
    hits = predicted = expected = 0
    for record in gold:
        found = {
            (m.char_start, m.char_end, m.region_code)
            for m in gazetteer.find_mentions(record["text"], published(record), record["home_region"])
        }
        wanted = {(m["char_start"], m["char_end"], m["region_code"]) for m in record["mentions"]}
        hits += len(found & wanted)
        predicted += len(found)
        expected += len(wanted)
    assert hits / predicted >= 0.95
    assert hits / expected >= 0.90


def test_primary_region_accuracy_on_gold(gold: list[dict], gazetteer: RegionGazetteer) -> None:
    correct = 0
    for record in gold:
        mentions = gazetteer.find_mentions(record["text"], published(record), record["home_region"])
        primary = gazetteer.primary_region(
            mentions, record["title"], record["home_region"], published(record)
        )
        correct += primary == record["primary_region"]
    assert correct / len(gold) >= 0.90


@pytest.mark.parametrize(
    ("record_id", "primary"),
    [
        ("sample-jingjinji", "120000"),
        ("sample-liangshan", "513400"),
        ("cwced-23d035c36392", None),  # national report; 深圳 only as one economist's example
    ],
)
def test_sample_articles_primary_region(
    gold: list[dict], gazetteer: RegionGazetteer, record_id: str, primary: str | None
) -> None:
    record = next(r for r in gold if r["id"] == record_id)
    mentions = gazetteer.find_mentions(record["text"], published(record), record["home_region"])
    assert gazetteer.primary_region(mentions, None, record["home_region"], published(record)) == primary


def test_sample_jingjinji_article_traps(gold: list[dict], gazetteer: RegionGazetteer) -> None:
    record = next(r for r in gold if r["id"] == "sample-jingjinji")
    text = record["text"]
    mentions = gazetteer.find_mentions(text, published(record), record["home_region"])
    surfaces = {m.surface for m in mentions}
    assert "保定" in surfaces and text.count("医保定点") == 2
    assert not any(text[m.char_start - 1 : m.char_end + 1] == "医保定点" for m in mentions)
    assert {m.region_code for m in mentions if m.surface == "通州"} == {"110112"}
    assert {m.region_code for m in mentions if m.surface == "河北"} == {"130000"}
    assert not any(m.surface in {"京津冀", "雄安新区"} for m in mentions)
    assert {g.group_id for g in gazetteer.find_group_mentions(text)} == {"jingjinji", "xiongan"}
