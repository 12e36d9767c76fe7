"""Credit lines: reporters and editors, in the text or from page metadata; departments are no people."""

from pathlib import Path

import pytest

from rnw.people import credits_in_line, extract_people, find_credits_in_text
from scrapers.article import Credit

TEXTS = Path(__file__).parent / "fixtures" / "people" / "texts"


def _by_role(people, role):
    return [p.name for p in people if p.role == role]


def test_sample_credit_line_gives_six_reporters_and_no_departments():
    text = (TEXTS / "sample-jjj.txt").read_text(encoding="utf-8")
    people = extract_people(text, [])
    assert _by_role(people, "reporter") == ["郝一萍", "张兆瑞", "孙翼飞", "宁广靖", "袁诚", "韩启"]
    names = {p.name for p in people}
    assert not any("视觉部" in n or "交通运输委" in n or "示意图" in n for n in names)
    first = next(p for p in people if p.name == "郝一萍")
    assert text[first.char_start : first.char_start + 3] == "郝一萍"


def test_second_sample_article_credit():
    text = (TEXTS / "sample-liangshan.txt").read_text(encoding="utf-8")
    assert _by_role(extract_people(text, []), "reporter") == ["陈璇", "叶昌云"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("新京报记者 彭冲 山东冠县报道", [("reporter", "彭冲")]),
        ("新华网黑龙江频道  记者  伊琳  李清芬", [("reporter", "伊琳"), ("reporter", "李清芬")]),
        ("文/栗思", [("author", "栗思")]),
        ("编辑/倪家宁", [("editor", "倪家宁")]),
        ("责任编辑：李曦_NN2587", [("editor", "李曦")]),
        ("【编辑:刘欢】", [("editor", "刘欢")]),
        ("文丨政能亮特约评论员 韩涵", [("reporter", "韩涵")]),
        ("照片由本报视觉部提供", []),
        ("区域交通圈示意图由市交通运输委提供", []),
    ],
)
def test_credit_line_variants(line, expected):
    assert [(c.role, c.name) for c in credits_in_line(line)] == expected


def test_dateline_and_photo_credits_in_text():
    dateline = "新华社北京5月19日电（刘艺、杨吉）\n中国科学院专家19日在北京介绍进展情况。"
    assert [(f.credit.role, f.credit.name) for f in find_credits_in_text(dateline)] == [
        ("reporter", "刘艺"),
        ("reporter", "杨吉"),
    ]
    photo = (TEXTS / "magic_html-d2f148d128d1.txt").read_text(encoding="utf-8")
    people = extract_people(photo, [])
    assert [(p.name, p.role, p.title) for p in people] == [("刘满仓", "reporter", "摄影")]


def test_metadata_credits_not_in_text_have_no_offset_and_are_not_quoted():
    text = (TEXTS / "cwced-dd593296ed4a.txt").read_text(encoding="utf-8")
    people = extract_people(text, [Credit("reporter", "伊琳"), Credit("reporter", "李清芬")])
    reporters = [p for p in people if p.role == "reporter"]
    assert [(p.name, p.char_start) for p in reporters] == [("伊琳", None), ("李清芬", None)]
    assert all(p.role != "quoted" for p in people if p.name in ("伊琳", "李清芬"))


def test_trailing_bare_parenthetical_is_the_reporter_and_editor_line_is_editor():
    text = (TEXTS / "magic_html-fbb7d15d28dc.txt").read_text(encoding="utf-8")
    people = extract_people(text, [])
    assert ("郭旭", "reporter") in {(p.name, p.role) for p in people}
    assert ("郭旭", "editor") in {(p.name, p.role) for p in people}
