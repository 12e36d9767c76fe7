"""Score rnw.indicators against the hand-annotated gold (tests/fixtures/indicators/gold.jsonl).

Prints precision/recall on (value, normalized unit), region and period accuracy on matched statements,
text throughput, and the worst error classes. Region mentions come from rnw.regions when it can be
imported; without it region accuracy is skipped (the primary region alone would measure nothing).

Run: .venv/bin/python bench/indicators_eval.py [--auto-primary] [--errors N]
"""

import argparse
import hashlib
import json
import math
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

from rnw.indicators import INDICATOR_EXTRACTOR_VERSION, Observation, extract_observations

GOLD_DIR = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "indicators"
THROUGHPUT_ROUNDS = 5
VALUE_TOLERANCE = 1e-4

RegionFinder = Callable[[str, date | None], tuple[list[tuple[int, int, str | None]], str | None]]


def load_gold() -> list[dict]:
    articles = []
    for line in (GOLD_DIR / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        article = json.loads(line)
        text = (GOLD_DIR / article["text_file"]).read_text(encoding="utf-8")
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != article["sha256"]:
            raise SystemExit(f"{article['id']}: text changed since annotation (sha256 mismatch)")
        article["text"] = text
        article["published"] = date.fromisoformat(article["published"]) if article["published"] else None
        articles.append(article)
    return articles


def region_finder() -> RegionFinder | None:
    """rnw.regions, imported lazily: it is built in parallel and may be missing or broken."""
    try:
        from rnw.regions import RegionGazetteer

        gazetteer = RegionGazetteer.load()
    except Exception as error:  # noqa: BLE001 - any failure means "not available", reported below
        print(f"rnw.regions not available ({type(error).__name__}: {error}); region accuracy skipped")
        return None

    def find(text: str, published: date | None) -> tuple[list[tuple[int, int, str | None]], str | None]:
        mentions = gazetteer.find_mentions(text, published)
        spans: list[tuple[int, int, str | None]] = [
            (m.char_start, m.char_end, m.region_code) for m in mentions if m.role != "qualifier"
        ]
        spans += [(g.char_start, g.char_end, None) for g in gazetteer.find_group_mentions(text)]
        spans.sort()
        return spans, gazetteer.primary_region(mentions, published=published)

    return find


def same_value(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=VALUE_TOLERANCE, abs_tol=1e-9)


def match(
    predicted: list[Observation], gold: list[dict]
) -> tuple[list[tuple[Observation, dict]], list, list]:
    """One-to-one pairs of overlapping prediction and gold statement; the rest are errors."""
    pairs, used = [], set()
    for statement in gold:
        for i, obs in enumerate(predicted):
            if (
                i in used
                or obs.char_end <= statement["char_start"]
                or statement["char_end"] <= obs.char_start
            ):
                continue
            pairs.append((obs, statement))
            used.add(i)
            break
    matched_gold = {id(statement) for _, statement in pairs}
    missed = [s for s in gold if id(s) not in matched_gold]
    spurious = [obs for i, obs in enumerate(predicted) if i not in used]
    return pairs, missed, spurious


def evaluate(articles: list[dict], find_regions: RegionFinder | None, auto_primary: bool) -> dict:
    errors: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    totals = Counter()

    def note(kind: str, example: str) -> None:
        errors[kind] += 1
        examples.setdefault(kind, []).append(example)

    for article in articles:
        text, gold = article["text"], article["statements"]
        mentions, auto_region = find_regions(text, article["published"]) if find_regions else ([], None)
        primary = auto_region if auto_primary else article["primary_region"]
        predicted = extract_observations(
            text, published=article["published"], region_mentions=mentions, primary_region=primary
        )
        pairs, missed, spurious = match(predicted, gold)
        totals["predicted"] += len(predicted)
        totals["gold"] += len(gold)
        for obs, statement in pairs:
            where = f"{article['id']}@{statement['char_start']} {statement['text']}"
            if (
                same_value(obs.value, statement["value"])
                and obs.normalized_unit == statement["normalized_unit"]
            ):
                totals["correct"] += 1
                scope = "coded" if statement["region_code"] else "none"
                totals[f"region_{scope}"] += 1
                if obs.region_code == statement["region_code"]:
                    totals["region_ok"] += 1
                    totals[f"region_{scope}_ok"] += 1
                else:
                    note(
                        f"region: gold {statement['region_code']} got {'code' if obs.region_code else None}",
                        f"{where} -> {obs.region_code}",
                    )
                if obs.period_year == statement["period_year"]:
                    totals["period_ok"] += 1
                else:
                    gold_kind = "year" if statement["period_year"] else None
                    note(
                        f"period: gold {gold_kind} got {'year' if obs.period_year else None}",
                        f"{where} gold {statement['period_year']} got {obs.period_year} ({obs.period_label})",
                    )
            elif obs.normalized_unit != statement["normalized_unit"]:
                note(
                    f"unit: gold {statement['normalized_unit']} got {obs.normalized_unit}",
                    f"{where} -> {text[obs.char_start : obs.char_end]}",
                )
            else:
                note("value mismatch", f"{where} gold {statement['value']} got {obs.value}")
        for statement in missed:
            note(
                f"missed {statement['normalized_unit']}",
                f"{article['id']}@{statement['char_start']} {text[max(0, statement['char_start'] - 6) : statement['char_end'] + 4]}",
            )
        for obs in spurious:
            note(
                f"spurious {obs.normalized_unit}",
                f"{article['id']}@{obs.char_start} {text[max(0, obs.char_start - 6) : obs.char_end + 4]}",
            )
    return {"totals": totals, "errors": errors, "examples": examples}


def throughput(articles: list[dict]) -> float:
    chars = sum(len(a["text"]) for a in articles) * THROUGHPUT_ROUNDS
    started = time.perf_counter()
    for _ in range(THROUGHPUT_ROUNDS):
        for article in articles:
            extract_observations(
                article["text"], published=article["published"], primary_region=article["primary_region"]
            )
    return chars / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--auto-primary",
        action="store_true",
        help="primary region from rnw.regions instead of the annotator's",
    )
    parser.add_argument("--errors", type=int, default=3, help="examples shown per error class")
    args = parser.parse_args()

    articles = load_gold()
    find_regions = region_finder()
    result = evaluate(articles, find_regions, args.auto_primary)
    t = result["totals"]
    precision = t["correct"] / t["predicted"] if t["predicted"] else 0.0
    recall = t["correct"] / t["gold"] if t["gold"] else 0.0
    print(
        f"extractor {INDICATOR_EXTRACTOR_VERSION}: {len(articles)} texts, {t['gold']} gold statements, "
        f"{t['predicted']} predicted"
    )
    print(
        f"precision {precision:.3f}  recall {recall:.3f}  (value + normalized unit, {t['correct']} correct)"
    )
    if find_regions:
        source = "rnw.regions" if args.auto_primary else "annotator"
        print(
            f"region accuracy {t['region_ok'] / t['correct']:.3f}  (primary region from {source}; "
            f"{t['region_coded_ok']}/{t['region_coded']} where the gold names a region, "
            f"{t['region_none_ok']}/{t['region_none']} where it names none)"
        )
    print(f"period accuracy {t['period_ok'] / t['correct']:.3f}")
    print(f"throughput {throughput(articles):,.0f} chars/s")
    print("worst error classes:")
    for kind, count in result["errors"].most_common(12):
        print(f"  {count:4d}  {kind}")
        for example in result["examples"][kind][: args.errors]:
            print(f"          {example}")


if __name__ == "__main__":
    main()
