"""Score rnw.people and rnw.topics against the hand-annotated gold set.

Run: .venv/bin/python bench/people_eval.py [--details]
Prints precision/recall per role, quoted people with the right title and organisation, organisations,
and top-topic accuracy, plus throughput. Gold: tests/fixtures/people/gold.jsonl (see its README).
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

from rnw.people import credits_in_line, extract_organizations, extract_people
from rnw.topics import score_topics

GOLD_DIR = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "people"
ROLES = ("reporter", "correspondent", "editor", "quoted", "mentioned")


def title_matches(predicted: str | None, gold: str | None) -> bool:
    """Titles agree when both are absent or a gold title word and a predicted one contain each other."""
    if gold is None or predicted is None:
        return gold is None and predicted is None
    gold_words = [w for w in re.split("[、兼]", gold) if w]
    predicted_words = [w for w in re.split("[、兼]", predicted) if w]
    return any(g in p or p in g for g in gold_words for p in predicted_words)


def precision_recall(true_positives: int, predicted: int, gold: int) -> tuple[float, float]:
    return (true_positives / predicted if predicted else 1.0, true_positives / gold if gold else 1.0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--details", action="store_true", help="print every miss and false positive")
    args = parser.parse_args()
    records = [
        json.loads(line) for line in (GOLD_DIR / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    role_counts = {role: [0, 0, 0] for role in ROLES}  # true positives, predicted, gold
    quoted_full = [0, 0, 0]
    org_counts = [0, 0, 0]
    topic_hits = 0
    started = time.perf_counter()
    for record in records:
        text = (GOLD_DIR / record["text_file"]).read_text(encoding="utf-8")
        credits = [c for line in record["credit_lines"] for c in credits_in_line(line)]
        people = extract_people(text, credits)
        orgs = {m.name for m in extract_organizations(text)}
        top = score_topics(text).top_topic
        for role in ROLES:
            predicted = {p.name for p in people if p.role == role}
            gold = {p["name"] for p in record["people"] if p["role"] == role}
            counts = role_counts[role]
            counts[0] += len(predicted & gold)
            counts[1] += len(predicted)
            counts[2] += len(gold)
            if args.details and predicted != gold:
                print(
                    f"{record['id']} {role}: missed {sorted(gold - predicted)} extra {sorted(predicted - gold)}"
                )
        gold_quoted = {p["name"]: p for p in record["people"] if p["role"] == "quoted"}
        for person in (p for p in people if p.role == "quoted"):
            quoted_full[1] += 1
            expected = gold_quoted.get(person.name)
            ok = bool(
                expected
                and title_matches(person.title, expected["title"])
                and person.organization == expected["organization"]
            )
            quoted_full[0] += ok
            if args.details and expected and not ok:
                print(
                    f"{record['id']} quoted {person.name}: got ({person.title}, {person.organization})"
                    f" want ({expected['title']}, {expected['organization']})"
                )
        quoted_full[2] += len(gold_quoted)
        gold_orgs = set(record["organizations"])
        org_counts[0] += len(orgs & gold_orgs)
        org_counts[1] += len(orgs)
        org_counts[2] += len(gold_orgs)
        if args.details and orgs != gold_orgs:
            print(f"{record['id']} orgs: missed {sorted(gold_orgs - orgs)} extra {sorted(orgs - gold_orgs)}")
        topic_hits += top == record["top_topic"]
        if args.details and top != record["top_topic"]:
            print(f"{record['id']} topic: got {top} want {record['top_topic']}")
    elapsed = time.perf_counter() - started
    print(f"gold articles: {len(records)}")
    print(f"{'measure':<34}{'precision':>10}{'recall':>10}{'gold':>6}")
    for role, (tp, predicted, gold) in role_counts.items():
        p, r = precision_recall(tp, predicted, gold)
        print(f"{'role ' + role:<34}{p:>10.3f}{r:>10.3f}{gold:>6}")
    p, r = precision_recall(*quoted_full)
    print(f"{'quoted with right title and org':<34}{p:>10.3f}{r:>10.3f}{quoted_full[2]:>6}")
    p, r = precision_recall(*org_counts)
    print(f"{'organisations (full names)':<34}{p:>10.3f}{r:>10.3f}{org_counts[2]:>6}")
    print(f"top-topic accuracy: {topic_hits / len(records):.3f} ({topic_hits}/{len(records)})")
    print(f"throughput: {len(records) / elapsed:.1f} articles/s ({elapsed:.2f} s)")


if __name__ == "__main__":
    main()
