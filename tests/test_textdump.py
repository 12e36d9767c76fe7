"""Splitting plain-text dumps into articles, on the real sample page."""

from __future__ import annotations

import re

from rnw.articles import fold_key
from scrapers.textdump import split_text_dump

TITLE_1 = "京津冀协同发展8周年 | 国之方略 厚泽津沽"
TITLE_2 = "凉山生态文明建设步伐坚定有力"


def hot_list_items(text: str) -> list[str]:
    """The bullet items after "热门推荐" in the sample: none may reach an article."""
    tail = text[text.index("热门推荐") :]
    return [re.sub(r"^\s*•\s*", "", line).strip() for line in tail.splitlines() if "•" in line]


def test_sample_splits_into_three_blocks_with_two_titles(sample_text: str) -> None:
    articles = split_text_dump(sample_text)
    assert [a.title for a in articles] == [TITLE_1, TITLE_1, TITLE_2]


def test_repeated_article_folds_despite_missing_credit_and_white_space(sample_text: str) -> None:
    first, repeat, _ = split_text_dump(sample_text)
    assert first.body_text != "" and fold_key(first.body_text) == fold_key(repeat.body_text)
    assert first.authors == ["郝一萍", "张兆瑞", "孙翼飞", "宁广靖", "袁诚", "韩启"]
    assert repeat.authors == []
    assert first.links == ["https://t.cn/A667BN5B"]


def test_credit_link_chrome_and_hot_list_stay_out_of_bodies(sample_text: str) -> None:
    articles = split_text_dump(sample_text)
    items = hot_list_items(sample_text)
    assert len(items) >= 15
    for article in articles:
        body = article.body_text
        assert "记者 郝一萍" not in body and "记者 陈璇" not in body
        assert "t.cn" not in body and "写留言" not in body and "热门推荐" not in body
        for item in items:
            assert item[:12] not in body
    assert articles[2].body_text.endswith("分片区推动生态环境保护工作一体化发展。")
    assert articles[2].authors == ["陈璇", "叶昌云"]


def test_sections_point_into_body(sample_text: str) -> None:
    article = split_text_dump(sample_text)[0]
    headings = [s.heading for s in article.sections]
    assert "环保协同 绘就生态最美画卷" in headings
    for section in article.sections:
        assert article.body_text[section.char_start : section.char_end] == section.heading


def test_highlights_become_subtitle_not_body(sample_text: str) -> None:
    article = split_text_dump(sample_text)[0]
    assert article.subtitle.startswith("PM2.5年均浓度 降至39微克/立方米")
    assert "天津市382家医保定点医疗机构 全部开通 异地就医结算" in article.subtitle
    assert article.body_text.startswith("环保协同 绘就生态最美画卷")


def test_dump_without_headline_is_one_untitled_article() -> None:
    body = "这是一段没有标题的正文，" * 20
    articles = split_text_dump(body + "\n\n发布 👍 0 举报 写留言\n  • 无关的推荐内容")
    assert len(articles) == 1 and articles[0].title is None
    assert "推荐" not in articles[0].body_text


def test_short_teasers_are_not_articles() -> None:
    assert split_text_dump("【一个标题】很短的摘要。") == []
