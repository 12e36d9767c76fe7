"""The evaluation harness scores what it should and skips truth that is no truth."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "extraction"


def _load_bench():
    spec = importlib.util.spec_from_file_location("extraction_eval", ROOT / "bench" / "extraction_eval.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["extraction_eval"] = module
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


def test_body_score_ignores_whitespace_and_counts_bigrams() -> None:
    exact = bench.score_body("安宁疗护\n\n精细化", "安宁疗护精细化")
    assert exact.precision == exact.recall == exact.f1 == 1.0
    half = bench.score_body("安宁疗护", "安宁疗护精细化")  # 3 of 6 truth bigrams, all predicted right
    assert half.precision == 1.0
    assert half.recall == pytest.approx(0.5)
    assert bench.score_body("", "安宁疗护").f1 == 0.0


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2005-8-12 16:12:21", date(2005, 8, 12)),
        ("2019年09月09日 18:13:22", date(2019, 9, 9)),
        ("UNKNOWN", None),
        ("刘涛", None),
        ("1998-3", None),
        ("2018", None),
        ("09月07日", None),
    ],
)
def test_truth_day_keeps_only_full_dates(value: str, day: date | None) -> None:
    assert bench.truth_day(value) == day


def test_authors_match_however_truth_separates_names() -> None:
    assert bench.authors_match(["罗科", "苏盈"], bench.truth_names("罗科苏盈"))
    assert bench.authors_match(["伊琳", "李清芬"], bench.truth_names("伊琳  李清芬"))
    assert bench.authors_match(["周思博"], bench.truth_names("周思博 (Joel Spolsky)"))
    assert not bench.authors_match(["编辑"], bench.truth_names("苏亮"))
    assert bench.truth_names("UNKNOWN") == set()


def test_harness_runs_on_a_corpus_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main([str(FIXTURES), "--no-baselines", "--verbose"]) == 0
    out = capsys.readouterr().out
    assert "Body on 7 pages with human truth" in out
    assert "author accuracy (human truth)" in out
    assert "date accuracy (human truth)" in out
    assert "cwced-9637b8684ad7" in out
