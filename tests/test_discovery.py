"""Discovery parsers and URL rules on bytes: feeds, sitemaps, listings, canonical URLs and URL dates."""

from __future__ import annotations

import gzip
from datetime import date

import pytest

from scrapers.discovery import parse_feed, parse_listing, parse_sitemap
from scrapers.registry import ListingSelectors
from scrapers.urls import extract_date, in_domains, normalize_url, scope_domains

BASE = "http://news.example.cn/list/index.html"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://News.Example.CN:80/a/b.html?z=1&a=2#top", "http://news.example.cn/a/b.html?a=2&z=1"),
        ("/a/b.html?utm_source=wx&id=3", "http://news.example.cn/a/b.html?id=3"),
        ("../c/新闻.html", "http://news.example.cn/c/%E6%96%B0%E9%97%BB.html"),
        ("https://news.example.cn:443/", "https://news.example.cn/"),
        ("http://news.example.cn:8080/x", "http://news.example.cn:8080/x"),
        ("javascript:void(0)", None),
        ("mailto:editor@example.cn", None),
        ("ftp://news.example.cn/file", None),
        ("#comments", None),
    ],
)
def test_normalize_url(raw: str, expected: str | None) -> None:
    assert normalize_url(raw, BASE) == expected


def test_domain_scope_includes_subdomains_only() -> None:
    assert in_domains("www.dahe.cn", ["dahe.cn"])
    assert in_domains("dahe.cn", ["dahe.cn"])
    assert not in_domains("notdahe.cn", ["dahe.cn"])
    assert scope_domains([], ["http://www.dahe.cn/news/", "https://www.dahe.cn/x"]) == ["www.dahe.cn"]
    assert scope_domains(["dahe.cn"], ["http://www.dahe.cn/"]) == ["dahe.cn"]


@pytest.mark.parametrize(
    ("text", "pattern", "expected"),
    [
        ("http://www.news.cn/fortune/2023-11/17/c_1129981476.htm", None, date(2023, 11, 17)),
        ("http://www.he.news.cn/20240515/d59c39d4160a4fe4b3084c3e4abfb450/c.html", None, date(2024, 5, 15)),
        ("http://www.gov.cn/xinwen/2024/05/10/content_1.htm", None, date(2024, 5, 10)),
        ("发布时间：2024年5月9日 10:00", None, date(2024, 5, 9)),
        ("http://auto.qianlong.com/36/2005/07/18/1680@2723871.htm", None, date(2005, 7, 18)),
        ("http://site.cn/content_117184963.shtml", None, None),
        (
            "http://site.cn/a/202405/t20240510_77.html",
            r"/t(?P<year>\d{4})(?P<month>\d\d)(?P<day>\d\d)_",
            date(2024, 5, 10),
        ),
        ("http://site.cn/2024-13/45/x.html", None, None),
    ],
)
def test_extract_date(text: str, pattern: str | None, expected: date | None) -> None:
    assert extract_date(text, pattern) == expected


def test_parse_rss_items_with_dates() -> None:
    rss = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>本地新闻</title>
    <item><title>一</title><link>http://news.example.cn/a/1.html?utm_medium=rss</link>
      <pubDate>Fri, 10 May 2024 08:00:00 +0800</pubDate></item>
    <item><title>二</title><link>/a/2.html</link></item>
    <item><title>三</title><guid>http://news.example.cn/a/3.html</guid></item>
    </channel></rss>""".encode()
    items = parse_feed(rss, BASE)
    assert [(c.url, c.published) for c in items] == [
        ("http://news.example.cn/a/1.html", date(2024, 5, 10)),
        ("http://news.example.cn/a/2.html", None),
        ("http://news.example.cn/a/3.html", None),
    ]


def test_parse_atom_entries() -> None:
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
    <entry><title>a</title><link rel="alternate" href="http://news.example.cn/2024/05/01/a.html"/>
      <link rel="edit" href="http://news.example.cn/edit/a"/><updated>2024-05-02T10:00:00Z</updated></entry>
    </feed>"""
    items = parse_feed(atom, BASE)
    assert [(c.url, c.published) for c in items] == [
        ("http://news.example.cn/2024/05/01/a.html", date(2024, 5, 2))
    ]


def test_parse_sitemap_index_and_gzipped_urlset() -> None:
    index = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>http://news.example.cn/sm/2024-05.xml.gz</loc><lastmod>2024-05-31</lastmod></sitemap>
    </sitemapindex>"""
    is_index, entries = parse_sitemap(index, BASE)
    assert is_index and [(e.url, e.published) for e in entries] == [
        ("http://news.example.cn/sm/2024-05.xml.gz", date(2024, 5, 31))
    ]
    urlset = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>http://news.example.cn/2024-05/03/c_1.htm</loc><lastmod>2024-05-20T08:00:00+08:00</lastmod></url>
    <url><loc>http://news.example.cn/about.htm</loc><lastmod>2024-05-21</lastmod></url>
    </urlset>"""
    is_index, entries = parse_sitemap(gzip.compress(urlset), BASE)
    # the URL's own date wins over lastmod (a later edit); lastmod fills in when the URL has none
    assert not is_index and [(e.url, e.published) for e in entries] == [
        ("http://news.example.cn/2024-05/03/c_1.htm", date(2024, 5, 3)),
        ("http://news.example.cn/about.htm", date(2024, 5, 21)),
    ]


def test_parse_listing_links_row_dates_and_next_page() -> None:
    html = """<html><body><ul class="list">
      <li><a href="/a/8812.html">市政府召开常务会议</a><span>2024-05-10</span></li>
      <li><a href="/a/8811.html">全市春耕生产有序推进</a><span>2024年5月8日</span></li>
      <li><a href="javascript:;">更多</a></li>
    </ul><div class="page"><a href="index_1.html" class="next">下一页</a></div></body></html>"""
    selectors = ListingSelectors(article_links="ul.list li a", next_page="div.page a.next")
    candidates, next_url = parse_listing(html, BASE, selectors)
    assert [(c.url, c.published) for c in candidates] == [
        ("http://news.example.cn/a/8812.html", date(2024, 5, 10)),
        ("http://news.example.cn/a/8811.html", date(2024, 5, 8)),
    ]
    assert next_url == "http://news.example.cn/list/index_1.html"


def test_malformed_xml_yields_nothing_instead_of_raising() -> None:
    assert parse_feed(b"<html><body>not a feed", BASE) == []
    assert parse_sitemap(b"\x00\x01garbage", BASE) == (False, [])
