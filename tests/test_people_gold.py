"""The hand-annotated gold set meets the targets (bench/people_eval.py prints the full table)."""

import json
from pathlib import Path

from rnw.people import credits_in_line, extract_people
from rnw.topics import score_topics

GOLD = Path(__file__).parent / "fixtures" / "people"


def _records():
    return [json.loads(line) for line in (GOLD / "gold.jsonl").read_text(encoding="utf-8").splitlines()]


def test_gold_targets():
    reporters = [0, 0, 0]
    quoted = [0, 0, 0]
    topics = 0
    records = _records()
    for record in records:
        text = (GOLD / record["text_file"]).read_text(encoding="utf-8")
        credits = [c for line in record["credit_lines"] for c in credits_in_line(line)]
        people = extract_people(text, credits)
        predicted = {p.name for p in people if p.role == "reporter"}
        gold = {p["name"] for p in record["people"] if p["role"] == "reporter"}
        reporters = [
            reporters[0] + len(predicted & gold),
            reporters[1] + len(predicted),
            reporters[2] + len(gold),
        ]
        gold_quoted = {p["name"]: p for p in record["people"] if p["role"] == "quoted"}
        for person in (p for p in people if p.role == "quoted"):
            want = gold_quoted.get(person.name)
            ok = (
                want
                and person.organization == want["organization"]
                and (
                    person.title == want["title"]
                    or (
                        person.title
                        and want["title"]
                        and (want["title"] in person.title or person.title in want["title"])
                    )
                )
            )
            quoted[0] += bool(ok)
            quoted[1] += 1
        quoted[2] += len(gold_quoted)
        topics += score_topics(text).top_topic == record["top_topic"]
    assert len(records) >= 25
    assert reporters[0] / reporters[1] >= 0.95 and reporters[0] / reporters[2] >= 0.90
    assert quoted[0] / quoted[1] >= 0.85 and quoted[0] / quoted[2] >= 0.80
    assert topics / len(records) >= 0.80
