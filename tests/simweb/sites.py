"""The simulated sites: real corpus pages behind a listing site, a feed site, a sitemap site and a
site of faults, plus generated look-alike sites for the bench.

Each builder starts a site and returns it with what a correct crawler must end up with (the
article paths it must fetch once, the paths it must never request), so tests compare the
server's request log to that, and the source to crawl it with, as the registry would hold it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from scrapers.registry import ListingSelectors, Source
from tests.simweb.server import Route, SimResponse, SimSite, SimWeb, sequence

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "simweb" / "pages"

# Real GBK pages; the site serves them with a header claiming UTF-8.
GBK_PAGES = (
    "cwced-05b56cb7b13c",
    "cwced-1dd05b131a62",
    "cwced-299c9070060f",
    "cwced-38e19de41ead",
    "cwced-d4eda6154cd1",
    "cwced-ec4c50c27f64",
)
FEED_PAGES = (
    "cwced-1f1a7b604a8b",
    "cwced-9637b8684ad7",
    "cwced-6df122f28a9d",
    "cwced-8acfb4ee27c8",
    "newspaper4k-214bee02b4e9",
)
SITEMAP_PAGES = (
    "cwced-4a566f1c157a",
    "cwced-b342c7b8048b",
    "cwced-a4f678796d4c",
    "newspaper4k-63e4217cc1cb",
)
ROBOTS = "User-agent: *\nDisallow: /private/\n"
LYING_HTML = "text/html; charset=utf-8"
HTML = "text/html; charset=utf-8"
HUGE = 50 * 1024 * 1024


@dataclass
class SiteSpec:
    """A started-or-not site with the truth about it and the source that crawls it."""

    site: SimSite
    source: Source | None = None
    articles: dict[str, bytes] = field(default_factory=dict)  # path -> exact bytes served
    article_dates: dict[str, date] = field(default_factory=dict)
    forbidden: list[str] = field(default_factory=list)  # paths that must never be requested


def page_bytes(page_id: str) -> bytes:
    return (PAGES / f"{page_id}.html").read_bytes()


def listing_site(web: SimWeb, address: str, *, rate: float = 20.0, per_page: int = 2) -> SiteSpec:
    """GBK news site with a paginated listing, a robots-disallowed article and a lying charset header."""
    site = web.site("gbk-listing", address)
    spec = SiteSpec(site)
    rows = []
    for n, page_id in enumerate(GBK_PAGES, start=1):
        day = date(2024, 5, 11) - timedelta(days=n)
        path = f"/news/{day:%Y-%m}/{day:%d}/content_{n}.html"
        spec.articles[path] = page_bytes(page_id)
        spec.article_dates[path] = day
        site.add(path, SimResponse(body=spec.articles[path], headers={"Content-Type": LYING_HTML}))
        rows.append((path, f"第{n}条新闻", day))
    private = "/private/2024-05/10/content_99.html"
    spec.forbidden.append(private)
    site.add(private, SimResponse(body=page_bytes(GBK_PAGES[0]), headers={"Content-Type": LYING_HTML}))
    pages = [rows[i : i + per_page] for i in range(0, len(rows), per_page)]
    for index, chunk in enumerate(pages, start=1):
        name = "index.html" if index == 1 else f"index_{index}.html"
        extra = (
            [(private, "内部通知", date(2024, 5, 10)), ("/about.html", "关于我们", None)]
            if index == 1
            else []
        )
        following = f"index_{index + 1}.html" if index < len(pages) else None
        html = _listing_html(chunk + extra, following)
        site.add(f"/news/{name}", SimResponse(body=html.encode("gbk"), headers={"Content-Type": LYING_HTML}))
    site.add("/robots.txt", SimResponse(body=ROBOTS.encode(), headers={"Content-Type": "text/plain"}))
    spec.source = Source(
        id="sim-gbk-listing",
        name="模拟新闻网",
        kind="listing",
        start_urls=[site.url("/news/index.html")],
        listing=ListingSelectors(article_links="ul.news-list li a", next_page="a.next"),
        article_url_pattern=r"/content_\d+\.html$",
        requests_per_second=rate,
    )
    return spec


def feed_site(web: SimWeb, address: str, *, rate: float = 20.0) -> SiteSpec:
    """UTF-8 site with an RSS feed; two articles fail transiently (500 once, 503 with Retry-After once)."""
    site = web.site("utf8-feed", address)
    spec = SiteSpec(site)
    items = []
    for n, page_id in enumerate(FEED_PAGES, start=1):
        day = date(2024, 5, 20) - timedelta(days=n)
        path = f"/a/{day:%Y%m%d}/{n}.html"
        body = page_bytes(page_id)
        spec.articles[path] = body
        spec.article_dates[path] = day
        ok = SimResponse(body=body, headers={"Content-Type": HTML})
        if n == 1:
            site.add(path, sequence(SimResponse(500, b"oops", {"Content-Type": "text/plain"}), ok))
        elif n == 2:
            busy = SimResponse(503, b"busy", {"Content-Type": "text/plain", "Retry-After": "1"})
            site.add(path, sequence(busy, ok))
        else:
            site.add(path, ok)
        items.append((site.url(path), f"文章{n}", day))
    private = "/private/memo.html"
    spec.forbidden.append(private)
    items.append((site.url(private), "内部", date(2024, 5, 19)))
    items.append(("http://elsewhere.invalid/a/1.html", "外站", date(2024, 5, 19)))
    site.add(
        "/rss.xml",
        SimResponse(body=_rss(items), headers={"Content-Type": "application/rss+xml; charset=utf-8"}),
    )
    site.add("/robots.txt", SimResponse(body=ROBOTS.encode(), headers={"Content-Type": "text/plain"}))
    spec.source = Source(
        id="sim-utf8-feed",
        name="模拟日报",
        kind="rss",
        start_urls=[site.url("/rss.xml")],
        requests_per_second=rate,
    )
    return spec


def sitemap_site(web: SimWeb, address: str, *, rate: float = 20.0) -> SiteSpec:
    """Site with a sitemap index of monthly sitemaps; no robots.txt at all (404 = allow all)."""
    site = web.site("sitemap-news", address)
    spec = SiteSpec(site)
    days = (date(2024, 5, 12), date(2024, 5, 2), date(2024, 4, 20), date(2024, 4, 3))
    months: dict[str, list[tuple[str, date]]] = {}
    for n, (page_id, day) in enumerate(zip(SITEMAP_PAGES, days, strict=True), start=1):
        path = f"/article/{day:%Y/%m/%d}/{n}.html"
        spec.articles[path] = page_bytes(page_id)
        spec.article_dates[path] = day
        site.add(path, SimResponse(body=spec.articles[path], headers={"Content-Type": HTML}))
        months.setdefault(f"{day:%Y-%m}", []).append((site.url(path), day))
    index_entries = []
    for month, entries in months.items():
        path = f"/sitemaps/{month}.xml"
        site.add(path, SimResponse(body=_urlset(entries), headers={"Content-Type": "application/xml"}))
        index_entries.append((site.url(path), max(d for _, d in entries)))
    site.add(
        "/sitemap_index.xml",
        SimResponse(body=_sitemapindex(index_entries), headers={"Content-Type": "text/xml"}),
    )
    spec.source = Source(
        id="sim-sitemap",
        name="模拟资讯",
        kind="sitemap",
        start_urls=[site.url("/sitemap_index.xml")],
        date_pattern=r"/article/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/",
        requests_per_second=rate,
    )
    return spec


def fault_site(web: SimWeb, address: str, other_loopback: str) -> SimSite:
    """Every misbehaviour the fetcher must survive, one path each."""
    site = web.site("faults", address)
    page = page_bytes(FEED_PAGES[0])
    ok = SimResponse(body=page, headers={"Content-Type": HTML})
    text = {"Content-Type": "text/plain"}
    site.add("/ok.html", ok)
    site.add("/flaky-500.html", sequence(SimResponse(500, b"oops", text), ok))
    site.add("/busy-503.html", sequence(SimResponse(503, b"busy", {**text, "Retry-After": "1"}), ok))
    site.add("/throttle-429.html", sequence(SimResponse(429, b"slow down", {**text, "Retry-After": "1"}), ok))
    site.add("/always-500.html", SimResponse(500, b"oops", text))
    site.add("/slow.html", SimResponse(body=page, headers={"Content-Type": HTML}, delay=1.0))
    site.add("/reset.html", SimResponse(fault="reset"))
    site.add("/truncated.html", SimResponse(body=page, headers={"Content-Type": HTML}, fault="truncate"))
    site.add("/to-metadata.html", _redirect("http://169.254.169.254/latest/meta-data/"))
    site.add("/to-other-loopback.html", _redirect(f"http://{other_loopback}:{site.port}/ok.html"))
    site.add("/to-file.html", _redirect("file:///etc/passwd"))
    site.add("/moved.html", _redirect("/ok.html", status=301))
    site.add("/loop-a.html", _redirect("/loop-b.html"))
    site.add("/loop-b.html", _redirect("/loop-a.html"))
    site.add("/huge.html", SimResponse(headers={"Content-Type": HTML}, stream_length=HUGE))
    site.add(
        "/huge-undeclared.html",
        SimResponse(headers={"Content-Type": HTML}, stream_length=HUGE, stream_declares_length=False),
    )
    site.add(
        "/report.pdf",
        SimResponse(body=b"%PDF-1.4\n" + bytes(range(256)) * 8, headers={"Content-Type": "application/pdf"}),
    )
    site.add("/binary.html", SimResponse(body=bytes(range(256)) * 64, headers={"Content-Type": HTML}))
    site.add("/etag.html", _conditional(ok, etag='"v1"'))
    site.add("/private/secret.html", ok)
    site.add("/robots.txt", SimResponse(body=ROBOTS.encode(), headers={"Content-Type": "text/plain"}))
    return site


def bench_site(web: SimWeb, index: int, articles: int, latency: tuple[float, float], rate: float) -> SiteSpec:
    """A generated listing site for the bench, its articles the real corpus pages reused."""
    address = f"127.0.1.{index + 1}"
    site = web.site(f"bench-{index}", address, latency=latency)
    spec = SiteSpec(site)
    bodies = [page_bytes(p) for p in GBK_PAGES + FEED_PAGES + SITEMAP_PAGES]
    rows = []
    for n in range(1, articles + 1):
        day = date(2024, 6, 1) - timedelta(days=n // 5)
        path = f"/news/{day:%Y-%m}/{day:%d}/content_{n}.html"
        spec.articles[path] = bodies[(index + n) % len(bodies)]
        site.add(path, SimResponse(body=spec.articles[path], headers={"Content-Type": HTML}))
        rows.append((path, f"新闻{n}", day))
    site.add(
        "/news/index.html",
        SimResponse(body=_listing_html(rows, None).encode(), headers={"Content-Type": HTML}),
    )
    site.add("/robots.txt", SimResponse(body=ROBOTS.encode(), headers={"Content-Type": "text/plain"}))
    spec.source = Source(
        id=f"bench-{index}",
        name=f"基准站{index}",
        kind="listing",
        start_urls=[site.url("/news/index.html")],
        listing=ListingSelectors(article_links="ul.news-list li a"),
        requests_per_second=rate,
        max_pages_per_run=articles,
    )
    return spec


def _redirect(location: str, status: int = 302) -> SimResponse:
    return SimResponse(status, b"", {"Location": location, "Content-Type": "text/plain"})


def _conditional(ok: SimResponse, etag: str) -> Route:
    def route(headers: dict[str, str]) -> SimResponse:
        if headers.get("if-none-match") == etag:
            return SimResponse(304, b"", {"ETag": etag})
        return SimResponse(ok.status, ok.body, {**ok.headers, "ETag": etag})

    return route


def _listing_html(rows: list[tuple[str, str, date | None]], next_page: str | None) -> str:
    items = "\n".join(
        f'<li><a href="{path}">{title}</a> <span class="date">{day.isoformat() if day else ""}</span></li>'
        for path, title, day in rows
    )
    following = f'<a class="next" href="{next_page}">下一页</a>' if next_page else ""
    return (
        '<html><head><meta charset="gb2312"><title>新闻列表</title></head><body>'
        f'<ul class="news-list">\n{items}\n</ul><div class="pager">{following}</div></body></html>'
    )


def _rss(items: list[tuple[str, str, date]]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>{url}</link>"
        f"<pubDate>{format_datetime(datetime(day.year, day.month, day.day, 8, tzinfo=UTC))}</pubDate></item>"
        for url, title, day in items
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>模拟</title>{body}</channel></rss>'.encode()


_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _urlset(entries: list[tuple[str, date]]) -> bytes:
    body = "".join(f"<url><loc>{url}</loc><lastmod>{day.isoformat()}</lastmod></url>" for url, day in entries)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="{_SITEMAP_NS}">{body}</urlset>'.encode()


def _sitemapindex(entries: list[tuple[str, date]]) -> bytes:
    body = "".join(
        f"<sitemap><loc>{url}</loc><lastmod>{day.isoformat()}</lastmod></sitemap>" for url, day in entries
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="{_SITEMAP_NS}">{body}</sitemapindex>'.encode()
