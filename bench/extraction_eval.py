"""Score ``scrapers.extraction.extract_html`` against a corpus folder, with trafilatura and
readability-lxml run on the very same decoded pages as baselines.

Usage: ``python bench/extraction_eval.py DIR [--verbose] [--no-baselines] [--repeat N]``

DIR holds ``truth.jsonl`` (one record per page: ``file``, ``truth_by``, ``truth`` with ``body`` and
optionally ``title``/``author``/``date``) and the pages it names. Body is scored on character bigrams
with whitespace removed, so paragraph separators and line wrapping do not count, only which text was
kept. The headline score is on pages whose truth is human-made; the score on every page with any body
truth is printed too, because machine truth is weak evidence but still evidence.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import lxml.html
import trafilatura
from readability import Document

from scrapers.encoding import decode_bytes
from scrapers.extraction import extract_html

_WHITESPACE = re.compile(r"\s+")
_FULL_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_NAME_SPLIT = re.compile(r"[\s,，、;；/]+")
_ALIAS = re.compile(r"[(（][^)）]*[)）]")
_NOT_A_NAME = {"unknown", "unknwon", "未知", "none", ""}


def bigrams(text: str) -> Counter[str]:
    compact = _WHITESPACE.sub("", text)
    return Counter(compact[i : i + 2] for i in range(len(compact) - 1))


@dataclass
class BodyScore:
    overlap: int = 0
    predicted: int = 0
    truth: int = 0

    @property
    def precision(self) -> float:
        return self.overlap / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.overlap / self.truth if self.truth else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: BodyScore) -> None:
        self.overlap += other.overlap
        self.predicted += other.predicted
        self.truth += other.truth


def score_body(predicted: str, truth: str) -> BodyScore:
    pred, gold = bigrams(predicted), bigrams(truth)
    overlap = sum((pred & gold).values())
    return BodyScore(overlap, sum(pred.values()), sum(gold.values()))


def truth_day(value: str | None) -> date | None:
    """A full calendar day from a truth date, or None for UNKNOWN, names and partial dates."""
    if not value:
        return None
    match = _FULL_DATE.search(value)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def truth_names(value: str | None) -> set[str]:
    """Names in an author truth; a parenthesised alias ("周思博 (Joel Spolsky)") is the same person."""
    if not value or value.strip().lower() in _NOT_A_NAME:
        return set()
    value = _ALIAS.sub("", value)
    return {name for name in _NAME_SPLIT.split(value.strip()) if name}


def authors_match(predicted: list[str], truth: set[str]) -> bool:
    """Same people, however the truth happens to separate them ("罗科苏盈" vs ["罗科", "苏盈"])."""
    pred = {name.replace(" ", "") for name in predicted}
    return (
        pred == truth
        or "".join(sorted(pred)) == "".join(sorted(truth))
        or "".join(predicted) == "".join(sorted(truth))
    )


def _norm_title(title: str | None) -> str:
    return _WHITESPACE.sub("", title or "")


def readability_text(html: str) -> str:
    summary = Document(html).summary(html_partial=True)
    tree = lxml.html.fromstring(summary)
    for br in tree.iter("br"):
        br.tail = "\n" + (br.tail or "")
    blocks = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table")
    for el in tree.iter(*blocks):
        el.tail = "\n" + (el.tail or "")
    return tree.text_content()


def trafilatura_text(html: str) -> str:
    return trafilatura.extract(html) or ""


def ours_text(html: str) -> str:
    return "\n\n".join(article.body_text for article in extract_html(html))


@dataclass
class Page:
    id: str
    html: str
    url: str | None
    truth_by: str
    truth: dict


@dataclass
class SystemResult:
    name: str
    per_page: dict[str, BodyScore] = field(default_factory=dict)
    seconds: float = 0.0


def load_pages(folder: Path) -> list[Page]:
    pages = []
    for line in (folder / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        raw = (folder / record["file"]).read_bytes()
        html = decode_bytes(raw).text
        truth_by = str(record.get("truth_by") or "none").split()[0]
        pages.append(Page(record["id"], html, record.get("url"), truth_by, record.get("truth") or {}))
    return pages


def run_system(name: str, fn: Callable[[str], str], pages: list[Page], repeat: int) -> SystemResult:
    result = SystemResult(name)
    start = time.perf_counter()
    for _ in range(repeat):
        outputs = {page.id: fn(page.html) for page in pages}
    result.seconds = (time.perf_counter() - start) / repeat
    for page in pages:
        if page.truth.get("body"):
            result.per_page[page.id] = score_body(outputs[page.id], page.truth["body"])
    return result


def aggregate(result: SystemResult, ids: list[str]) -> tuple[BodyScore, float]:
    micro = BodyScore()
    for page_id in ids:
        micro.add(result.per_page[page_id])
    mean_f1 = sum(result.per_page[i].f1 for i in ids) / len(ids) if ids else 0.0
    return micro, mean_f1


def metadata_scores(pages: list[Page], verbose: bool) -> None:
    """Title/author/date accuracy per kind of truth. Human truth is the score; machine truth (another
    extractor's 2019 output) is printed apart, as weak agreement, since matching it rewards its bugs."""
    for kind in ("human", "machine"):
        counts = {"title": [0, 0], "author": [0, 0], "date": [0, 0]}
        for page in pages:
            if page.truth_by != kind:
                continue
            articles = extract_html(page.html, page.url)
            first = articles[0] if articles else None
            if page.truth.get("title"):
                ok = first is not None and _norm_title(first.title) == _norm_title(page.truth["title"])
                _count(counts["title"], ok, verbose, page.id, page.truth["title"], first and first.title)
            names = truth_names(page.truth.get("author"))
            if names:
                got = first.authors if first else []
                _count(counts["author"], authors_match(got, names), verbose, page.id, sorted(names), got)
            day = truth_day(page.truth.get("date"))
            if day:
                got_day = first.published_at.date() if first and first.published_at else None
                _count(counts["date"], got_day == day, verbose, page.id, day, got_day)
        for key, (ok, total) in counts.items():
            if total:
                print(f"{key:>7} accuracy ({kind} truth): {ok}/{total} = {ok / total:.3f}")


def _count(tally: list[int], ok: bool, verbose: bool, page_id: str, truth: object, got: object) -> None:
    tally[0] += ok
    tally[1] += 1
    if verbose and not ok:
        print(f"  miss {page_id}: truth={truth} got={got}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--verbose", action="store_true", help="per-page scores and metadata misses")
    parser.add_argument("--no-baselines", action="store_true", help="skip trafilatura and readability")
    parser.add_argument("--repeat", type=int, default=1, help="runs per system, for steadier timing")
    args = parser.parse_args(argv)

    pages = load_pages(args.folder)
    systems = [("ours", ours_text)]
    if not args.no_baselines:
        systems += [("trafilatura", trafilatura_text), ("readability", readability_text)]
    results = [run_system(name, fn, pages, args.repeat) for name, fn in systems]

    human = [p.id for p in pages if p.truth_by == "human" and p.truth.get("body")]
    any_truth = [p.id for p in pages if p.truth.get("body")]
    if args.verbose:
        print(f"{'page':<28}" + "".join(f"{r.name:>14}" for r in results) + "   (P/R of ours)")
        for page_id in any_truth:
            ours = results[0].per_page[page_id]
            cells = "".join(f"{r.per_page[page_id].f1:>14.3f}" for r in results)
            print(f"{page_id:<28}{cells}   {ours.precision:.3f}/{ours.recall:.3f}")
    for label, ids in (("human truth", human), ("any body truth", any_truth)):
        print(f"\nBody on {len(ids)} pages with {label}:")
        for r in results:
            micro, mean_f1 = aggregate(r, ids)
            print(
                f"  {r.name:<12} micro P={micro.precision:.3f} R={micro.recall:.3f} F1={micro.f1:.3f}"
                f"   mean F1={mean_f1:.3f}"
            )
    print(f"\nSpeed over all {len(pages)} pages:")
    ours_pps = len(pages) / results[0].seconds
    for r in results:
        pps = len(pages) / r.seconds
        print(f"  {r.name:<12} {pps:7.1f} pages/s   ours/this = {ours_pps / pps:.2f}x")
    if len(results) > 1:
        ours_f1 = aggregate(results[0], human)[0].f1
        for r in results[1:]:
            print(
                f"  F1 ratio ours/{r.name} (human truth, micro): {ours_f1 / max(aggregate(r, human)[0].f1, 1e-9):.3f}"
            )
    print()
    metadata_scores(pages, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
