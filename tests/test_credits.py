from __future__ import annotations

import pytest

from scrapers.article import Credit
from scrapers.credits import parse_credit_line, strip_trailing_credits


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("(记者 陈璇 叶昌云)", [Credit("reporter", "陈璇"), Credit("reporter", "叶昌云")]),
        ("本报记者 张三 通讯员 李四", [Credit("reporter", "张三"), Credit("correspondent", "李四")]),
        ("责任编辑：赵六", [Credit("editor", "赵六")]),
        ("作者：王小明", [Credit("author", "王小明")]),
        ("文/李华", [Credit("author", "李华")]),
        (
            "(记者 郝一萍 照片由本报视觉部提供 区域交通圈示意图由市交通运输委提供)",
            [Credit("reporter", "郝一萍")],
        ),
    ],
)
def test_credit_lines(line: str, expected: list[Credit]) -> None:
    assert parse_credit_line(line) == expected


@pytest.mark.parametrize("line", ["记者从呼和浩特市商务局获悉，为切实保障", "近日，记者走访了多家企业", ""])
def test_prose_is_not_a_credit_line(line: str) -> None:
    assert parse_credit_line(line) is None


def test_trailing_credit_and_short_link_become_metadata() -> None:
    body, credits, links = strip_trailing_credits(
        "正文第一段。\n\n正文第二段。(记者 陈璇 叶昌云)https://t.cn/A667BN5B"
    )
    assert body == "正文第一段。\n\n正文第二段。"
    assert [c.name for c in credits] == ["陈璇", "叶昌云"]
    assert links == ["https://t.cn/A667BN5B"]


def test_credit_in_the_middle_is_left_alone() -> None:
    text = "第一段(记者 陈璇)继续。\n\n第二段结束。"
    assert strip_trailing_credits(text) == (text, [], [])
