"""Score the region matcher against the hand-made gold (tests/fixtures/regions/gold.jsonl).

Prints mention precision/recall (a hit needs the same span and the same code), primary-region
accuracy, single-core throughput in MB of UTF-8 text per second, and the most frequent error classes.
Run: `.venv/bin/python bench/regions_eval.py [--gold gold_heldout.jsonl] [--repeat N] [--show-errors]`.
gold.jsonl is the development set (rules were tuned on it); gold_heldout.jsonl was annotated after the
rules were frozen and is the honest estimate.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections import Counter
from datetime import date
from pathlib import Path

from rnw.regions import RegionGazetteer, RegionMention

GOLD_DIR = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "regions"


def load_gold(path: Path) -> list[dict]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for record in records:
        digest = hashlib.sha256(record["text"].encode("utf-8")).hexdigest()
        if digest != record["text_sha256"]:
            raise SystemExit(f"{record['id']}: text does not match its sha256; offsets are not checkable")
    return records


def published_of(record: dict) -> date | None:
    return date.fromisoformat(record["published"]) if record["published"] else None


def classify(predicted: list[RegionMention], gold: list[dict], text: str) -> tuple[int, Counter, list[str]]:
    """Return true positives, error classes and readable error lines for one document."""
    gold_by_span = {(m["char_start"], m["char_end"]): m["region_code"] for m in gold}
    predicted_spans = {(m.char_start, m.char_end): m for m in predicted}
    hits = 0
    classes: Counter = Counter()
    lines: list[str] = []
    for span, mention in predicted_spans.items():
        expected = gold_by_span.get(span)
        if expected == mention.region_code:
            hits += 1
            continue
        if expected is not None:
            kind = "wrong code"
        elif any(lo < span[1] and span[0] < hi for lo, hi in gold_by_span):
            kind = "wrong span"
        else:
            kind = "spurious"
        classes[kind] += 1
        context = text[max(0, span[0] - 6) : span[1] + 6].replace("\n", " ")
        lines.append(f"  FP {kind}: {mention.surface} -> {mention.region_code} (gold {expected}) «{context}»")
    for span, code in gold_by_span.items():
        if span in predicted_spans:
            continue
        if any(lo < span[1] and span[0] < hi for lo, hi in predicted_spans):
            continue  # already counted as a wrong span on the predicted side
        classes["missed"] += 1
        context = text[max(0, span[0] - 6) : span[1] + 6].replace("\n", " ")
        lines.append(f"  FN missed: {text[span[0] : span[1]]} -> {code} «{context}»")
    return hits, classes, lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20, help="passes over the gold texts for the timing")
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--gold", default="gold.jsonl", help="file in tests/fixtures/regions/")
    args = parser.parse_args()

    records = load_gold(GOLD_DIR / args.gold)
    started = time.perf_counter()
    gazetteer = RegionGazetteer.load()
    load_seconds = time.perf_counter() - started

    tp = predicted_total = gold_total = primary_hits = 0
    classes: Counter = Counter()
    surfaces: Counter = Counter()
    for record in records:
        published = published_of(record)
        predicted = gazetteer.find_mentions(record["text"], published, record["home_region"])
        hits, doc_classes, lines = classify(predicted, record["mentions"], record["text"])
        tp += hits
        predicted_total += len(predicted)
        gold_total += len(record["mentions"])
        classes.update(doc_classes)
        for line in lines:
            surfaces[line.split(":", 1)[0].strip() + ": " + line.split(":", 1)[1].split("->")[0].strip()] += 1
        primary = gazetteer.primary_region(predicted, record["title"], record["home_region"], published)
        primary_ok = primary == record["primary_region"]
        primary_hits += primary_ok
        if args.show_errors and (lines or not primary_ok):
            print(f"{record['id']}: primary {primary} (gold {record['primary_region']})")
            print("\n".join(lines))

    texts = [(r["text"], published_of(r), r["home_region"]) for r in records]
    size_mb = sum(len(text.encode("utf-8")) for text, _, _ in texts) * args.repeat / 1e6
    started = time.perf_counter()
    for _ in range(args.repeat):
        for text, published, home in texts:
            gazetteer.find_mentions(text, published, home)
    seconds = time.perf_counter() - started

    precision = tp / predicted_total if predicted_total else 1.0
    recall = tp / gold_total if gold_total else 1.0
    print(f"documents: {len(records)}  gold mentions: {gold_total}  predicted: {predicted_total}")
    print(f"mention precision: {precision:.3f}  recall: {recall:.3f}")
    print(f"primary region accuracy: {primary_hits / len(records):.3f} ({primary_hits}/{len(records)})")
    print(
        f"throughput: {size_mb / seconds:.2f} MB/s on one core ({size_mb:.1f} MB); gazetteer load {load_seconds:.2f} s"
    )
    print("error classes:", dict(classes.most_common()))
    print("worst surfaces:", dict(surfaces.most_common(8)))


if __name__ == "__main__":
    main()
