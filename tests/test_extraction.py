"""Body boundaries and article splitting on real pages (fixtures are copies of corpus pages)."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from scrapers.article import ExtractedArticle
from scrapers.encoding import decode_bytes
from scrapers.extraction import EXTRACTOR_VERSION, extract_html

PAGES = Path(__file__).parent / "fixtures" / "extraction" / "pages"


def page_html(page_id: str) -> str:
    return decode_bytes((PAGES / f"{page_id}.html").read_bytes()).text


def only_article(page_id: str) -> ExtractedArticle:
    articles = extract_html(page_html(page_id))
    assert len(articles) == 1
    return articles[0]


def test_extractor_version_is_set() -> None:
    assert EXTRACTOR_VERSION


@pytest.mark.parametrize(
    ("page_id", "inside", "outside"),
    [
        (
            "cwced-9637b8684ad7",
            "积极推进工业企业绿色化、智能化改造，推动云南工业高质量发展。",
            ["责任编辑", "滇ICP备", "（记者 胡晓蓉）"],
        ),
        (
            "magic_html-530e116717e6",
            "李干杰、何立峰、吴政隆、穆虹、姜信治出席座谈会",
            ["习近平同安哥拉总统洛伦索会谈", "京ICP备05022684号", "编辑：毛梦囡", "更多>>"],
        ),
        (
            "magic_html-0a8c51d53180",
            "农历腊月初八是腊八节，腊八节要吃腊八粥",
            ["未经书面授权请勿转载", "中国领先的健康门户网站", "举报/反馈"],
        ),
        (
            "cwced-dd593296ed4a",
            "李金泽同志现任黑龙江省勃农机械有限责任公司党委书记",
            ["<text", 'encoding="gb2312"', "新华网黑龙江频道"],
        ),
    ],
)
def test_body_keeps_the_article_and_drops_the_page_furniture(
    page_id: str, inside: str, outside: list[str]
) -> None:
    body = only_article(page_id).body_text
    assert inside in body
    for furniture in outside:
        assert furniture not in body


def test_paragraphs_are_separated_by_blank_lines() -> None:
    body = only_article("magic_html-0a8c51d53180").body_text
    paragraphs = body.split("\n\n")
    assert len(paragraphs) > 5
    assert all(p.strip() == p and p for p in paragraphs)


def test_sections_point_at_their_headings_in_the_body() -> None:
    article = only_article("magic_html-0a8c51d53180")
    headings = [s.heading for s in article.sections]
    assert "1.豆子提前浸泡" in headings
    for section in article.sections:
        assert article.body_text[section.char_start : section.char_end] == section.heading


def test_trailing_url_goes_to_links_not_body() -> None:
    article = only_article("cwced-8acfb4ee27c8")
    assert "http://tb.donews.net/TrackBack.aspx?PostId=543698" in article.links
    assert "TrackBack.aspx" not in article.body_text


def test_blog_archive_gives_one_article_per_post() -> None:
    articles = extract_html(page_html("cwced-d1177bcf8a4e"))
    assert len(articles) >= 3
    titles = [a.title for a in articles]
    assert titles[:2] == ["湘菜粤菜 兵分两路 (图)", "澳坛真的累了"]
    assert len(set(titles)) == len(titles)
    first, second = articles[0], articles[1]
    assert first.body_text.startswith("湘菜粤菜兵分两路")
    assert "当斑竹半年来" not in first.body_text
    assert "当斑竹半年来" in second.body_text
    assert first.published_at is not None and first.published_at.date().isoformat() == "2005-06-14"
    assert second.published_at is not None and second.published_at.date().isoformat() == "2005-06-13"


def test_page_without_article_text_gives_no_article() -> None:
    """The kepu.gov.cn page with every paragraph removed is all menus and link lists."""
    tree = lxml.html.document_fromstring(page_html("magic_html-530e116717e6"))
    for paragraph in list(tree.iter("p")):
        paragraph.drop_tree()
    assert extract_html(lxml.html.tostring(tree, encoding="unicode")) == []


def test_empty_page_gives_no_article() -> None:
    assert extract_html("") == []
    assert extract_html("<html><body><p>404 Not Found</p></body></html>") == []
