"""The indexed look-ups of rnw.indicators against the plain scans they replace, on the gold texts."""

import re
from pathlib import Path

import pytest

from rnw.indicators import config, scanner, seeds
from rnw.indicators.attribution import Span, enclosing
from rnw.indicators.numerals import CHINESE_NUMERAL_CHARS, fold_width
from rnw.indicators.scanner import _NUMBER_RE, _longest_prefix

INDICATOR_TEXTS = Path(__file__).parent / "fixtures" / "indicators" / "texts"
EDGE_TEXTS = [
    "",
    "。",
    "\n\n",
    "２０２１年ＧＤＰ增长３．５％，达１，２００．５亿元。",
    "三分之一；十八万元\n一两年",
]
STOPS = (config.SENTENCE_END, config.CLAUSE_END, config.PHRASE_END, "\n", "。", "")


@pytest.fixture(scope="module")
def texts() -> list[str]:
    paths = sorted(INDICATOR_TEXTS.glob("*.txt"))
    return [path.read_text(encoding="utf-8") for path in paths] + EDGE_TEXTS


def reference_enclosing(text: str, start: int, end: int, stops: str) -> Span:
    left = max((text.rfind(ch, 0, start) for ch in stops), default=-1) + 1
    rights = [i for i in (text.find(ch, end) for ch in stops) if i != -1]
    return Span(left, min(rights, default=len(text)))


def reference_longest_prefix(text: str, pos: int, table: dict) -> str:
    for size in range(min(8, len(text) - pos), 0, -1):
        if text[pos : pos + size] in table:
            return text[pos : pos + size]
    return ""


def test_enclosing_matches_the_plain_scan(texts: list[str]) -> None:
    for text in texts:
        for start in (*range(-2, len(text) + 3, 31), len(text) - 1, len(text)):
            for end in (start, start + 1, start + 6, start + 40, len(text) + 2, -1):
                for stops in STOPS:
                    expected = reference_enclosing(text, start, end, stops)
                    assert enclosing(text, start, end, stops) == expected, (start, end, stops)


def test_longest_prefix_matches_the_plain_scan(texts: list[str]) -> None:
    for table in (seeds.units(), seeds.magnitudes(), {"万": 1, "万亩": 2, "ab": 3}):
        for text in texts:
            folded = fold_width(text)
            for pos in (*range(-3, len(folded) + 2), len(folded) - 1, len(folded)):
                expected = reference_longest_prefix(folded, pos, table)
                assert _longest_prefix(folded, pos, table) == expected, pos


def test_number_pattern_matches_as_without_its_lookahead(texts: list[str]) -> None:
    prefix = rf"(?=[\d{CHINESE_NUMERAL_CHARS}])"
    assert _NUMBER_RE.pattern.startswith(prefix)
    plain = re.compile(_NUMBER_RE.pattern.removeprefix(prefix))
    for text in map(fold_width, texts):
        for pos in range(0, len(text) + 1, 7):
            fast, slow = _NUMBER_RE.search(text, pos), plain.search(text, pos)
            assert (fast and (fast.span(), fast.groupdict())) == (slow and (slow.span(), slow.groupdict()))


def test_skipping_lone_numerals_finds_what_reading_them_finds(
    texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lone = "一零〇○百千万亿十两二"
    samples = [*texts, lone, "百分之一", "一万", "第一", "一、", "万元", "千亿元", "一千"]
    skipping = [scanner.find_quantities(text) for text in samples]
    monkeypatch.setattr(scanner, "_NEVER_ALONE", frozenset())
    assert [scanner.find_quantities(text) for text in samples] == skipping
