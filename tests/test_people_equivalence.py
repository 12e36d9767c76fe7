"""The fast paths of people extraction give exactly what the straightforward versions give.

Each test keeps the plain version next to it (the code before the speed-up) and compares on the
fixture articles and on generated text, so a change that makes them drift fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from rnw.people import organizations, speakers
from rnw.people.config import APPOINTMENT_HONORIFICS, APPOINTMENT_WORDS
from rnw.people.names import TaggedNames, tagged_person_spans

TEXTS = sorted((Path(__file__).parent / "fixtures" / "people" / "texts").glob("*.txt"))
ARTICLES = [p.read_text(encoding="utf-8") for p in TEXTS]
PROPERTY = settings(max_examples=150, deadline=None, database=None, derandomize=True)

# Generated text: pieces of real articles cut anywhere, glued with punctuation, Latin, digits, spaces.
PIECES = st.builds(
    lambda i, start, size: ARTICLES[i % len(ARTICLES)][start : start + size],
    st.integers(0, 1000),
    st.integers(0, 3000),
    st.integers(0, 80),
)
GLUE = st.sampled_from(
    ["", "，", "。", "、", "“", "”", "：", "（", "）", " ", "\n", "\r\n", "AB", "2024", "·", "-"]
)
TEXT = st.lists(st.tuples(PIECES, GLUE), max_size=12).map(lambda parts: "".join(a + b for a, b in parts))


def _assert_tagged_names_equal(text: str) -> None:
    full = tagged_person_spans(text)
    lazy = TaggedNames(text)
    assert all(span in lazy for span in full)
    for start in range(-1, len(text) + 1):
        for length in (1, 2, 3, 4, 5):
            assert ((start, start + length) in lazy) == ((start, start + length) in full)


def test_tagged_names_answers_like_the_whole_text_tagging_on_articles():
    for text in ARTICLES:
        _assert_tagged_names_equal(text)


@PROPERTY
@given(TEXT)
def test_tagged_names_answers_like_the_whole_text_tagging(text):
    _assert_tagged_names_equal(text)


_APPOINTMENT = re.compile(
    rf"(?P<name>[\u4e00-\u9fff]{{2,4}}?)(?:{'|'.join(APPOINTMENT_HONORIFICS)})?(?:{'|'.join(APPOINTMENT_WORDS)})"
)
APPOINTMENT_TEXT = st.lists(
    st.sampled_from([*"王李强明会芝任现担出同志先生女士，。、 \n", "现任", "担任", "同志任"]), max_size=40
).map("".join)


def _assert_appointments_equal(text: str) -> None:
    expected = [(m.start(), m.end(), m.group("name")) for m in _APPOINTMENT.finditer(text)]
    found = [(m.start(), m.end(), m.group("name")) for m in speakers._appointment_matches(text)]
    assert found == expected


@PROPERTY
@given(st.one_of(APPOINTMENT_TEXT, TEXT))
def test_appointment_matches_are_those_of_finditer(text):
    _assert_appointments_equal(text)


def test_appointment_matches_at_the_longest_reach():
    """Four-character name, honorific and two-character word: the farthest a match starts from 任."""
    for text in (
        "，王李强明同志现任",
        "王李强明先生担任书记",
        "任任王李强明女士出任任",
        "李强任李明现任",
        *ARTICLES,
    ):
        _assert_appointments_equal(text)


def _reference_full_name_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Full organisation names as first written: every candidate checked against every kept span."""
    spans: list[tuple[int, int]] = []
    for match in organizations._SUFFIX_RE.finditer(text):
        end = match.end()
        short = len(match.group(0)) <= organizations.SHORT_SUFFIX_MAX
        if not organizations._ends_name(text, end, short_suffix=short):
            continue
        core_match = organizations._TITLE_CORE_RE.match(text, match.start())
        core = core_match.group(0) if core_match else ""
        if len(core) > len(match.group(0)):
            continue
        end = organizations._with_place_parenthetical(text, end)
        clause_start = organizations._clause_start(text, match.start())
        for start, name_end in organizations._name_spans(text, clause_start, match.start(), end):
            name = text[start:name_end]
            if not organizations.is_org_name(name) or any(s <= start and name_end <= e for s, e in spans):
                continue
            spans = [(s, e) for s, e in spans if not (start <= s and e <= name_end)]
            spans.append((start, name_end))
    return tuple(sorted(spans))


ORG_TEXT = st.lists(
    st.sampled_from(
        [
            "天津社会科学院",
            "资源环境与生态研究所",
            "中青旅控股股份有限公司",
            "北京师范大学",
            "与",
            "和",
            "的",
            "据",
            "记者从",
            "市教育局",
            "党委书记",
            "副所长",
            "（中国）",
            "（简称“清科环保”）",
            "清科环保",
            "，",
            "。",
            "表示",
        ]
    ),
    max_size=14,
).map("".join)


@PROPERTY
@given(st.one_of(ORG_TEXT, TEXT))
def test_full_name_spans_match_the_pairwise_reference(text):
    assert organizations._full_name_spans(text) == _reference_full_name_spans(text)


def test_full_name_spans_match_the_pairwise_reference_on_articles():
    for text in ARTICLES:
        assert organizations._full_name_spans(text) == _reference_full_name_spans(text)


@PROPERTY
@given(st.lists(st.text(alphabet="院学大京北华中科技经济", min_size=1, max_size=8), max_size=25, unique=True))
def test_longer_forms_pick_what_longer_form_picks(names):
    forms = organizations._longer_forms(names)
    for name in names:
        assert forms.get(name, name) == organizations._longer_form(name, names)
