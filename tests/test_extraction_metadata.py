"""Titles, dates, authors and URLs on real pages, and the date and byline parsers on real lines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scrapers.article import Credit
from scrapers.encoding import decode_bytes
from scrapers.extraction import extract_html
from scrapers.extraction.dates import SHANGHAI, date_from_url, parse_date_text
from scrapers.extraction.metadata import byline_names, line_credits, strip_site_suffix

PAGES = Path(__file__).parent / "fixtures" / "extraction" / "pages"


def first_article(page_id: str, url: str | None = None):
    articles = extract_html(decode_bytes((PAGES / f"{page_id}.html").read_bytes()).text, url)
    assert articles
    return articles[0]


@pytest.mark.parametrize(
    ("page_id", "title"),
    [
        ("magic_html-530e116717e6", "习近平主持召开深入推进长三角一体化发展座谈会"),  # "-中国科普网"
        ("cwced-9637b8684ad7", "17种产品、1个园区入选国家绿色制造名单"),  # " - 要闻云南 - 云南日报网"
        ("cwced-dd593296ed4a", "农机专家李金泽：为农机行业搭建现代化信息平台"),  # "_振兴东北"
        ("cwced-2e74772bc532", "第四届中国经济学年会会议议程"),  # "_秘书处_CN_北京大学中国经济研究中心"
    ],
)
def test_title_loses_its_site_suffix(page_id: str, title: str) -> None:
    assert first_article(page_id).title == title


@pytest.mark.parametrize(
    ("page_id", "day"),
    [
        ("cwced-9637b8684ad7", date(2022, 2, 13)),
        ("cwced-dd593296ed4a", date(2005, 8, 16)),
        ("magic_html-0a8c51d53180", date(2021, 1, 20)),
        ("cwced-8acfb4ee27c8", date(2005, 9, 7)),
    ],
)
def test_published_at_is_the_right_day_in_beijing_time(page_id: str, day: date) -> None:
    published = first_article(page_id).published_at
    assert published is not None
    assert published.tzinfo == SHANGHAI
    assert published.date() == day


@pytest.mark.parametrize(
    ("page_id", "authors"),
    [
        ("cwced-9637b8684ad7", ["胡晓蓉"]),  # "（记者 胡晓蓉）" after the text
        ("cwced-dd593296ed4a", ["伊琳", "李清芬"]),  # "记者 伊琳 李清芬" above it
    ],
)
def test_authors_are_person_names(page_id: str, authors: list[str]) -> None:
    assert first_article(page_id).authors == authors


def test_cleaneval_wrapper_url_is_the_canonical_url() -> None:
    article = first_article("cwced-dd593296ed4a", url="file:///local/copy.html")
    assert article.canonical_url == "http://chinaneast.xinhuanet.com/jizhe/2005-08/16/content_4894059.htm"


def test_site_name_comes_from_the_title_suffix() -> None:
    assert first_article("magic_html-530e116717e6").site_name == "中国科普网"
    assert first_article("magic_html-0a8c51d53180").site_name == "39健康网"


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("本报记者罗科苏盈发自北京", ["罗科苏盈"]),
        ("顶端新闻·河南商报记者马俊峰/文受访者供图", ["马俊峰"]),
        ("新京报记者 彭冲 山东冠县报道", ["彭冲"]),
        ("2015-11-05 阅读：8169 来源:转载 作者:孙仲旻 分享：", ["孙仲旻"]),
        ("编辑： 金金 来源： 21世纪经济报道 作者：宋怡 杨志华 我要说说", ["宋怡", "杨志华"]),
        ("本贴由大卫于2005年8月12日16:12:21在〖心灵体操〗发表.", ["大卫"]),
        ("（姚峰 上海报道）", ["姚峰"]),
        ("记者获悉，该项目已经开工。", []),
        ("与作者联系（英文）", []),
        ("楼主有病!", []),
    ],
)
def test_byline_names(line: str, names: list[str]) -> None:
    assert byline_names(line) == names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021年03月23日 10:20", (2021, 3, 23, 10, 20)),
        ("发布时间：2021-3-23", (2021, 3, 23, 0, 0)),
        ("2005/08/22 19:13:18", (2005, 8, 22, 19, 13)),
        ("2023-11-17T02:30:00Z", (2023, 11, 17, 10, 30)),  # UTC -> Beijing
        ("2024-05-20T13:09:59+08:00", (2024, 5, 20, 13, 9)),
    ],
)
def test_parse_date_text(text: str, expected: tuple[int, int, int, int, int]) -> None:
    parsed = parse_date_text(text)
    assert parsed is not None
    assert (parsed.year, parsed.month, parsed.day, parsed.hour, parsed.minute) == expected
    assert parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == 8 * 3600


def test_parse_date_text_rejects_non_dates() -> None:
    assert parse_date_text("刘涛") is None
    assert parse_date_text("UNKNOWN") is None
    assert parse_date_text("1234-56-78") is None


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("http://chinaneast.xinhuanet.com/jizhe/2005-08/16/content_4894059.htm", date(2005, 8, 16)),
        ("https://www.1905.com/news/20240520/1676288.shtml", date(2024, 5, 20)),
        ("http://auto.sohu.com/20050513/n225551143.shtml", date(2005, 5, 13)),
        ("https://www.gov.cn/zhengce/content/2021-03/23/content_5595111.htm", date(2021, 3, 23)),
    ],
)
def test_date_from_url(url: str, day: date) -> None:
    parsed = date_from_url(url)
    assert parsed is not None and parsed.date() == day


def test_strip_site_suffix_keeps_the_headline_wherever_the_site_name_stands() -> None:
    assert strip_site_suffix('男孩因不想上补习班 写"救命啊"纸团抛出引来警察_网易新闻') == (
        '男孩因不想上补习班 写"救命啊"纸团抛出引来警察'
    )
    assert strip_site_suffix("千龙网--汽车--广汽回应现代合资内幕 全面合作项目即将展开") == (
        "广汽回应现代合资内幕 全面合作项目即将展开"
    )


@pytest.mark.parametrize(
    ("line", "credits"),
    [
        ("（总台央视记者 奚丹霓 张赛）", [("reporter", "奚丹霓"), ("reporter", "张赛")]),
        ("编辑 周褶褶 ｜ 排版 魏蔚", [("editor", "周褶褶"), ("editor", "魏蔚")]),
        ("文/栗思  编辑/倪家宁", [("author", "栗思"), ("editor", "倪家宁")]),
        ("医技药剂党支部、药剂科供稿 摄影/张艳 编辑/苏芳", [("photo", "张艳"), ("editor", "苏芳")]),
        ("采写：南都见习记者 林子沛", [("reporter", "林子沛")]),
        ("记者通过电子邮件联系了富士康，截至发稿时，尚未收到回应。", []),
    ],
)
def test_line_credits(line: str, credits: list[tuple[str, str]]) -> None:
    assert line_credits(line) == [Credit(role=role, name=name) for role, name in credits]


def test_credit_lines_leave_the_body_and_keep_their_roles() -> None:
    article = first_article("cwced-9637b8684ad7")
    assert Credit(role="editor", name="孙重远") in article.credits
    assert Credit(role="reporter", name="胡晓蓉") in article.credits
    assert "孙重远" not in article.body_text
