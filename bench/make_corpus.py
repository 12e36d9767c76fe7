"""A scaled corpus made from the real corpus pages: files on disk, and a simulated web that serves them.

The benches and the reliability suite need thousands of pages that look like the real ones (real
markup, real encodings, real prose) but are distinct articles, with the spread of dates and
sources a years-long archive has and the near-duplicates that syndication produces. So each
output page is a real seed page whose prose is rewritten: 40-70% of its sentences kept, sentences
borrowed from other pages, about half of the figures changed, dates moved to the page's
publication day, plus one sentence whose figures encode the page number, which makes every body
distinct by construction. Distinct enough that the warehouse's near-duplicate folding keeps them
apart (see KEEP_SHARE and BORROWED_SHARE). About 5% of pages are near-duplicates: an earlier page's story with a
small edit, under another source.

Everything is a pure function of (seed, page number), so a corpus is reproducible and a
near-duplicate is rebuilt from its original instead of kept in memory; files stream to disk.

    .venv/bin/python bench/make_corpus.py --pages 10000 --out /tmp/corpus10k [--seed 7] [--web]

``--web`` then serves the corpus on loopback (one host per source: paginated listings, sitemaps
or RSS) and writes ``DIR/sources.yml`` for ``rnw scrape`` until interrupted. In-process users
(tests, benches) call ``generate`` and ``serve_corpus``.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import html
import itertools
import json
import math
import random
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the repo root, for scrapers/ and tests.simweb when run as a script

from scrapers.encoding import decode_bytes

if TYPE_CHECKING:
    from scrapers.registry import Source
    from tests.simweb import SimSite, SimWeb
    from tests.simweb.server import Route

# Real corpus pages already in the repo (provenance in each folder's README.md).
SEED_DIRS = (
    ROOT / "tests" / "fixtures" / "simweb" / "pages",
    ROOT / "tests" / "fixtures" / "extraction" / "pages",
)
NEAR_DUPLICATE_SHARE = 0.05
# Share of a seed's prose sentences a page keeps (drawn per page), and the chance that a paragraph
# borrows a sentence from another seed. Why this much: the warehouse folds two bodies into one
# article at a 5-gram Jaccard of 0.8 (rnw.neardup); keeping about half of the sentences puts two
# pages of one seed near 0.3-0.5, distinct articles, while a near-duplicate stays above 0.9.
KEEP_SHARE = (0.4, 0.7)
# Dropping sentences is what sets two pages of a seed apart, so a seed needs enough of them. A forum
# post of 4 ASCII-punctuated "sentences" in 14,000 characters gave pages at a Jaccard of 0.75 to
# each other: neither distinct articles nor near-duplicates, and every pair of its pages an LSH
# candidate needing the exact check (92k pairs at 10k pages, growing with the square of the size).
MIN_SEED_SENTENCES = 8
# Sentences borrowed from the whole seed pool, as a share of the kept body: they bound how alike two
# pages of one seed can be. Random sentence subsets alone do not: a seed of 11 sentences gave 75 of
# 7,140 page pairs above 0.8, which chained hundreds of pages into one near-duplicate group. With
# a share u of each body its own, two bodies reach at most a Jaccard of about (1 - u) / (1 + u):
# 0.67 for this share (u = 0.2).
BORROWED_SHARE = 0.25
# Text outside the prose nodes (short nodes, lists, tables) is copied as it is. A forum page had a
# post with none of its text in prose nodes: the same body on every page of the seed.
REWRITTEN_MIN_SHARE = 0.5
# A near-duplicate copies one of this many most recent originals: syndication follows the news.
NEAR_DUPLICATE_WINDOW = 1000
FIRST_DAY = date(2019, 1, 1)
LAST_DAY = date(2024, 12, 31)
MIN_SOURCES = 20
MAX_SOURCES = 50
PAGES_PER_SOURCE = 100  # below MAX_SOURCES, one source per this many pages (at least MIN_SOURCES)
LISTING_PAGE_SIZE = 50
# Loopback addresses of the corpus sites: 127.0.3.1 onwards (tests.simweb uses 127.0.0.x and 127.0.1.x).
ADDRESS_PREFIX = "127.0.3."
MANIFEST = "manifest.jsonl"
DESCRIPTION = "corpus.json"

# No look-behind in front (it would cost a slow scan from every position): callers skip a match
# that follows a digit (see ``_as_date``).
_DATE = re.compile(r"((?:19|20)\d\d)([-/.年])(\d{1,2})([-/.月])(\d{1,2})(?!\d)")
# A figure in prose; not part of a date, a time, a decimal or a code (those keep their shape).
_NUMBER = re.compile(r"(?<![\d.:/\-])[1-9]\d{0,5}(?![\d.:/\-年月日时点分秒])")
# A sentence ends at Chinese end punctuation, or at ASCII end punctuation before white space (forum
# posts; not the point of a decimal).
_SENTENCE = re.compile(r"(?s).*?(?:[。！？]|[.!?](?=\s|$))")
_SENTENCE_END = re.compile(r"[。！？]|[.!?](?=\s|$)")
_TEXT_NODE = re.compile(r">([^<>]+)<")
_SKIP_ZONE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_SPACE = re.compile(r"\s+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# A text node with at least this many Han characters is prose worth rewriting.
_PROSE_MIN_HAN = 30
_ENCODE = {"utf-8": "utf-8", "gb18030": "gb18030", "big5": "big5"}
# The distinct sentence: its figures encode the page number, phrased as regional news phrases it.
_UNIQUE = (
    "截至{m}月底，全市累计完成固定资产投资{a}.{b}亿元，同比增长{c}.{d}%。",
    "今年以来，全县新增市场主体{a}户，带动就业{c}{d}人。",
    "据统计，该项目总投资{a}.{b}亿元，预计{m}月底前全面建成投用。",
    "全区{m}月份实现地区生产总值{a}.{b}亿元，较上月增长{c}.{d}个百分点。",
)
_EDITOR_SENTENCES = (
    "记者了解到，相关工作仍在推进中。",
    "目前，各项准备工作正在有序开展。",
    "此项工作得到了社会各界的广泛关注。",
)
_SOURCE_NAMES = ("日报", "晚报", "新闻网", "政府网", "融媒体中心", "发布")
_PLACES = ("江城", "云岭", "湘江", "黔南", "滇西", "桂北", "巴山", "秦川", "燕赵", "齐鲁", "闽东", "赣南")


@dataclass(frozen=True)
class Seed:
    """One real page: its text, its encoding, and where its prose, its article body and its dates are."""

    name: str
    text: str
    encoding: str
    prose: tuple[tuple[int, int], ...]  # spans of text nodes holding prose, in order
    body: tuple[tuple[int, int], ...]  # the prose spans the extractor takes as the article body
    anchor: date | None  # the page's own date (the most frequent one in it): moved to the new day
    rewritten_share: float  # of the article least covered by prose nodes, the share that is

    @cached_property
    def gaps(self) -> list[str]:
        """The markup around the prose spans: one more piece than there are spans."""
        edges = [0, *(i for span in self.prose for i in span), len(self.text)]
        return [self.text[edges[i] : edges[i + 1]] for i in range(0, len(edges), 2)]

    @cached_property
    def has_dates(self) -> list[bool]:
        """For gap 0, prose 0, gap 1, ... the last gap: whether a date is there to move (most have none)."""
        spans = [self.text[a:b] for a, b in self.prose]
        pieces = [p for pair in zip(self.gaps, spans, strict=False) for p in pair] + [self.gaps[-1]]
        return [self.anchor is not None and _DATE.search(p) is not None for p in pieces]

    @cached_property
    def sentence_count(self) -> int:
        return sum(len(_sentences(self.text[a:b])) for a, b in self.prose)

    @cached_property
    def sentences(self) -> list[str]:
        return [s for start, end in self.body for s in _sentences(self.text[start:end]) if len(s) > 8]


@dataclass(frozen=True)
class CorpusSource:
    id: str
    name: str
    kind: str  # listing | sitemap | rss

    def url_path(self, page: str, day: date) -> str:
        if self.kind == "listing":
            return f"/news/{day:%Y-%m}/{day:%d}/content_{page}.html"
        if self.kind == "sitemap":
            return f"/article/{day:%Y/%m/%d}/{page}.html"
        return f"/a/{day:%Y%m%d}/{page}.html"


@dataclass(frozen=True)
class Entry:
    """One manifest line: a generated page, where it lives on disk and on the simulated web."""

    page: str
    path: str  # relative to the corpus folder
    source: str
    date: str
    seed: str
    encoding: str
    near_duplicate_of: str | None
    url_path: str
    sha256: str
    bytes: int


# -- seeds -------------------------------------------------------------------------------------------


def load_seeds(dirs: tuple[Path, ...] = SEED_DIRS) -> list[Seed]:
    """The real article pages, once each (the fixture folders share a few files).

    A page whose extracted body holds none of its prose nodes (an index or near-empty page) is left
    out: the unique sentence and the near-duplicate edits must land in the body to make a difference.
    So is a page with fewer than MIN_SEED_SENTENCES sentences, or with an article whose body lies
    mostly outside the prose nodes (REWRITTEN_MIN_SHARE): its pages could not be told apart.
    """
    seen: set[str] = set()
    seeds = []
    for folder in dirs:
        for path in sorted(folder.glob("*.html")):
            raw = path.read_bytes()
            digest = hashlib.sha256(raw).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            decoded = decode_bytes(raw)
            seed = _seed(path.stem, decoded.text, decoded.encoding)
            if (
                seed.body
                and seed.sentence_count >= MIN_SEED_SENTENCES
                and seed.rewritten_share >= REWRITTEN_MIN_SHARE
            ):
                seeds.append(seed)
    return seeds


def _seed(name: str, text: str, encoding: str) -> Seed:
    from scrapers.extraction import extract_html

    skip = [m.span() for m in _SKIP_ZONE.finditer(text)]
    prose = []
    for match in _TEXT_NODE.finditer(text):
        start, end = match.span(1)
        if len(_HAN.findall(text[start:end])) >= _PROSE_MIN_HAN and not any(a <= start < b for a, b in skip):
            prose.append((start, end))
    articles = extract_html(text)
    body_text = _squeeze(articles[0].body_text) if articles else ""
    body = tuple(span for span in prose if _squeeze(text[span[0] : span[1]])[:12] in body_text)
    days = collections.Counter(d for m in _DATE.finditer(text) if (d := _as_date(m)) is not None)
    anchor = days.most_common(1)[0][0] if days else None
    squeezed = [_squeeze(text[start:end]) for start, end in prose]
    shares = [
        sum(len(p) for p in squeezed if p in article) / len(article)
        for article in (_squeeze(a.body_text) for a in articles)
        if article
    ]
    return Seed(
        name, text, _ENCODE.get(encoding, "utf-8"), tuple(prose), body, anchor, min(shares, default=0.0)
    )


def _sentences(text: str) -> list[str]:
    """``_SENTENCE.findall(text)``, in linear time: past the last sentence's end, findall would
    retry the lazy match from every position of the tail, each scanning to its end. A real page's
    174,219-character text node with no end in its tail took 342 s that way."""
    ends = [match.end() for match in _SENTENCE_END.finditer(text)]
    return _SENTENCE.findall(text, 0, ends[-1]) if ends else []


def _squeeze(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", html.unescape(text)))


def _as_date(match: re.Match[str]) -> date | None:
    if match.start() and match.string[match.start() - 1].isdigit():
        return None  # the tail of a longer number, not a year
    try:
        return date(int(match.group(1)), int(match.group(3)), int(match.group(5)))
    except ValueError:
        return None


# -- one page ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What page ``index`` is made of; a pure function of (corpus seed, index)."""

    index: int
    seed: Seed
    day: date
    source: int


class Generator:
    """Pages from seeds; every choice comes from a generator seeded with (corpus seed, page, purpose)."""

    def __init__(self, seeds: list[Seed], sources: list[CorpusSource], corpus_seed: int) -> None:
        self.seeds = seeds
        self.sources = sources
        self.corpus_seed = corpus_seed
        self.pool = [s for seed in seeds for s in seed.sentences]
        self.pool_sentence_chars = sum(map(len, self.pool)) / max(len(self.pool), 1)
        self.days = (LAST_DAY - FIRST_DAY).days + 1

    def rng(self, index: int, salt: str = "") -> random.Random:
        return random.Random(f"{self.corpus_seed}:{index}:{salt}")

    def plan(self, index: int) -> Plan:
        rng = self.rng(index, "plan")
        return Plan(
            index,
            rng.choice(self.seeds),
            FIRST_DAY + timedelta(days=rng.randrange(self.days)),
            rng.randrange(len(self.sources)),
        )

    def page(self, plan: Plan, copy: int | None = None) -> str:
        """The seed page with its prose rewritten for this page number and its dates moved to ``day``.

        With ``copy`` (the page number of a near-duplicate of this page), the same page with the
        copy's own number in the distinct sentence, plus one small edit in its body: a figure
        corrected, a sentence cut, or an editor's sentence added.
        """
        rng = self.rng(plan.index, "text")
        seed = plan.seed
        longest = max(seed.body, key=lambda span: span[1] - span[0])
        total = seed.sentence_count
        kept = set(rng.sample(range(total), max(min(total, 3), round(total * rng.uniform(*KEEP_SHARE)))))
        pieces = []
        moved = seed.has_dates
        first = 0
        for n, span in enumerate(seed.prose):
            prose = seed.text[span[0] : span[1]]
            if moved[2 * n + 1]:
                prose = _move_dates(prose, seed.anchor, plan.day)
            prose, first = self._rewrite(prose, kept, first, rng)
            if span == longest:
                prose += _unique_sentence(plan.index if copy is None else copy, rng)
                if copy is not None:  # in the longest body paragraph: elsewhere may not be in the body
                    prose = _small_edit(prose, self.rng(copy, "near"))
            gap = seed.gaps[n]
            pieces += [_move_dates(gap, seed.anchor, plan.day) if moved[2 * n] else gap, prose]
        tail = seed.gaps[-1]
        return "".join(pieces) + (_move_dates(tail, seed.anchor, plan.day) if moved[-1] else tail)

    def _rewrite(self, prose: str, kept: set[int], first: int, rng: random.Random) -> tuple[str, int]:
        """The prose with only the ``kept`` sentences (numbered across the page from ``first``),
        sentences from the pool put in at random places, and about half of its figures changed.

        Every paragraph borrows its own BORROWED_SHARE: the extracted body may be any run of
        paragraphs (one paragraph, when few sentences are kept; one post of a forum thread)."""
        sentences = _sentences(prose)
        rest = prose[sum(len(s) for s in sentences) :]
        chosen = [s for i, s in enumerate(sentences, start=first) if i in kept]
        borrowed = math.ceil(BORROWED_SHARE * sum(map(len, chosen)) / self.pool_sentence_chars)
        for _ in range(borrowed if self.pool else 0):
            chosen.insert(rng.randrange(len(chosen) + 1), rng.choice(self.pool))
        text = _NUMBER.sub(lambda m: _other_number(m.group(), rng), "".join(chosen)) + rest
        return text, first + len(sentences)


def _small_edit(prose: str, rng: random.Random) -> str:
    kind = rng.randrange(3)
    numbers = list(_NUMBER.finditer(prose))
    if kind == 0 and numbers:
        hit = rng.choice(numbers)
        return prose[: hit.start()] + str(int(hit.group()) + rng.randint(1, 9)) + prose[hit.end() :]
    sentences = _sentences(prose)
    if kind == 1 and len(sentences) > 2:
        rest = prose[sum(len(s) for s in sentences) :]
        del sentences[rng.randrange(1, len(sentences))]
        return "".join(sentences) + rest
    # Not a "(来源：...)" credit: the extractor strips credit lines, so the copy would equal the original.
    return prose.rstrip() + rng.choice(_EDITOR_SENTENCES)


def _other_number(number: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return number
    low = 10 ** (len(number) - 1)
    return str(rng.randrange(low, low * 10))


def _unique_sentence(index: int, rng: random.Random) -> str:
    """A sentence of regional-news shape whose first figure is the page number: no two pages share it."""
    template = rng.choice(_UNIQUE)
    return template.format(
        m=rng.randint(1, 12), a=100 + index, b=rng.randint(0, 9), c=rng.randint(1, 30), d=rng.randint(0, 9)
    )


def _move_dates(text: str, anchor: date | None, day: date) -> str:
    """Every date in ``text`` shifted by (day - anchor), separators and padding kept."""
    if anchor is None:
        return text
    delta = day - anchor

    def shift(match: re.Match[str]) -> str:
        old = _as_date(match)
        if old is None:
            return match.group()
        try:
            new = old + delta
        except OverflowError:
            return match.group()
        month = f"{new.month:02d}" if len(match.group(3)) == 2 else str(new.month)
        dom = f"{new.day:02d}" if len(match.group(5)) == 2 else str(new.day)
        return f"{new.year}{match.group(2)}{month}{match.group(4)}{dom}"

    return _DATE.sub(shift, text)


# -- the corpus --------------------------------------------------------------------------------------


def make_sources(pages: int, count: int | None = None) -> list[CorpusSource]:
    count = count or max(MIN_SOURCES, min(MAX_SOURCES, pages // PAGES_PER_SOURCE))
    if count < 2:
        raise ValueError("at least 2 sources: a near-duplicate appears under another source")
    kinds = ("listing", "sitemap", "rss")
    return [
        CorpusSource(
            f"sim-{k:02d}",
            f"{_PLACES[k % len(_PLACES)]}{_SOURCE_NAMES[k % len(_SOURCE_NAMES)]}{k}",
            kinds[k % len(kinds)],
        )
        for k in range(1, count + 1)
    ]


def generate(
    out: Path,
    pages: int,
    *,
    seed: int = 7,
    sources: int | None = None,
    seed_dirs: tuple[Path, ...] = SEED_DIRS,
) -> dict:
    """Write ``pages`` pages under ``out/<source>/`` and ``out/manifest.jsonl``; return the description.

    A folder already holding the same corpus (same pages, seed, sources and seed pages) is reused.
    ``seed_dirs``: the real pages to rewrite; the repo's fixture pages (28 KB on average) by default.
    """
    corpus_sources = make_sources(pages, sources)
    seeds = load_seeds(seed_dirs)
    wanted = {
        "pages": pages,
        "seed": seed,
        "sources": [asdict(s) for s in corpus_sources],
        "seed_pages": [s.name for s in seeds],
    }
    described = out / DESCRIPTION
    if described.exists() and (out / MANIFEST).exists():
        old = json.loads(described.read_text(encoding="utf-8"))
        if {k: old.get(k) for k in wanted} == wanted:
            return {**old, "reused": True}
    out.mkdir(parents=True, exist_ok=True)
    for source in corpus_sources:
        (out / source.id).mkdir(exist_ok=True)
    generator = Generator(seeds, corpus_sources, seed)
    started = time.monotonic()
    total_bytes = 0
    near = 0
    recent: collections.deque[Plan] = collections.deque(maxlen=NEAR_DUPLICATE_WINDOW)
    with (out / MANIFEST).open("w", encoding="utf-8") as manifest:
        for entry in _pages(generator, pages, recent, out):
            manifest.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
            total_bytes += entry.bytes
            near += entry.near_duplicate_of is not None
    description = {
        **wanted,
        "near_duplicates": near,
        "bytes": total_bytes,
        "seconds": round(time.monotonic() - started, 2),
    }
    described.write_text(json.dumps(description, ensure_ascii=False, indent=1), encoding="utf-8")
    return description


def _pages(generator: Generator, pages: int, recent: collections.deque[Plan], out: Path) -> Iterator[Entry]:
    sources = generator.sources
    for index in range(pages):
        plan = generator.plan(index)
        rng = generator.rng(index, "dup")
        original_of = None
        if recent and rng.random() < NEAR_DUPLICATE_SHARE:
            first = rng.choice(recent)
            text = generator.page(first, copy=index)
            other = (first.source + 1 + rng.randrange(len(sources) - 1)) % len(sources)
            plan = Plan(index, first.seed, first.day + timedelta(days=rng.randrange(3)), other)
            original_of = _page_name(first.index)
        else:
            text = generator.page(plan)
            recent.append(plan)
        source = sources[plan.source]
        name = _page_name(index)
        body = text.encode(plan.seed.encoding, errors="xmlcharrefreplace")
        relative = f"{source.id}/{name}.html"
        (out / relative).write_bytes(body)
        yield Entry(
            page=name,
            path=relative,
            source=source.id,
            date=plan.day.isoformat(),
            seed=plan.seed.name,
            encoding=plan.seed.encoding,
            near_duplicate_of=original_of,
            url_path=source.url_path(name, plan.day),
            sha256=hashlib.sha256(body).hexdigest(),
            bytes=len(body),
        )


def _page_name(index: int) -> str:
    return f"p{index:06d}"


def read_manifest(corpus: Path, limit: int | None = None) -> list[Entry]:
    """The corpus's entries in page order; the first ``limit`` only when given."""
    with (corpus / MANIFEST).open(encoding="utf-8") as lines:
        return [Entry(**json.loads(line)) for line in itertools.islice(lines, limit)]


# -- the simulated web -------------------------------------------------------------------------------

# Wraps the route of every served path except robots.txt (its failure would close the whole site):
# the reliability suite uses it to inject faults. Gets the path and the route that answers correctly.
RouteWrapper = Callable[[str, "Route"], "Route"]


@dataclass
class ServedSource:
    """A corpus source on the simulated web: its site, the registry entry to crawl it, its pages."""

    site: SimSite
    source: Source
    pages: list[Entry]


def serve_corpus(
    web: SimWeb,
    corpus: Path,
    *,
    rate: float = 20.0,
    wrap: RouteWrapper | None = None,
    latency: tuple[float, float] = (0.0, 0.0),
) -> list[ServedSource]:
    """Start one site per corpus source on ``web``; article bodies are read from disk per request."""
    from scrapers.registry import ListingSelectors, Source
    from tests.simweb import SimResponse

    description = json.loads((corpus / DESCRIPTION).read_text(encoding="utf-8"))
    by_source: dict[str, list[Entry]] = collections.defaultdict(list)
    for entry in read_manifest(corpus):
        by_source[entry.source].append(entry)
    served = []
    for number, raw in enumerate(description["sources"], start=1):
        spec = CorpusSource(**raw)
        entries = sorted(by_source[spec.id], key=lambda e: (e.date, e.page), reverse=True)
        site = web.site(spec.id, f"{ADDRESS_PREFIX}{number}", latency=latency)

        def add(path: str, route: Route, site: SimSite = site) -> None:
            site.add(path, wrap(path, route) if wrap else route)

        for entry in entries:
            add(entry.url_path, _file_route(corpus / entry.path, entry.encoding))
        site.add(
            "/robots.txt",
            SimResponse(body=b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"}),
        )
        start = _serve_discovery(spec, entries, site, add)
        source = Source(
            id=spec.id,
            name=spec.name,
            kind=spec.kind,  # type: ignore[arg-type]
            start_urls=[site.url(start)],
            listing=ListingSelectors(article_links="ul.news-list li a", next_page="a.next")
            if spec.kind == "listing"
            else None,
            requests_per_second=rate,
            max_pages_per_run=max(1, len(entries)),
        )
        served.append(ServedSource(site, source, entries))
    return served


def _file_route(path: Path, encoding: str) -> Route:
    from tests.simweb import SimResponse

    headers = {"Content-Type": f"text/html; charset={encoding}"}
    return lambda _headers: SimResponse(body=path.read_bytes(), headers=headers)


def _serve_discovery(spec: CorpusSource, entries: list[Entry], site: SimSite, add: Callable) -> str:
    """Listing pages, sitemaps or the feed of one source (newest first); returns the start path."""
    from tests.simweb import SimResponse
    from tests.simweb.server import fixed
    from tests.simweb.sites import _listing_html, _rss, _sitemapindex, _urlset

    if spec.kind == "listing":
        chunks = [entries[i : i + LISTING_PAGE_SIZE] for i in range(0, len(entries), LISTING_PAGE_SIZE)] or [
            []
        ]
        for number, chunk in enumerate(chunks, start=1):
            following = f"index_{number + 1}.html" if number < len(chunks) else None
            rows = [(e.url_path, f"新闻{e.page}", date.fromisoformat(e.date)) for e in chunk]
            html = _listing_html(rows, following).encode("utf-8")
            page = "index.html" if number == 1 else f"index_{number}.html"
            add(
                f"/news/{page}",
                fixed(SimResponse(body=html, headers={"Content-Type": "text/html; charset=utf-8"})),
            )
        return "/news/index.html"
    if spec.kind == "sitemap":
        months: dict[str, list[tuple[str, date]]] = collections.defaultdict(list)
        for e in entries:
            months[e.date[:7]].append((site.url(e.url_path), date.fromisoformat(e.date)))
        index = []
        for month, rows in months.items():
            path = f"/sitemaps/{month}.xml"
            add(path, fixed(SimResponse(body=_urlset(rows), headers={"Content-Type": "application/xml"})))
            index.append((site.url(path), max(d for _, d in rows)))
        add(
            "/sitemap_index.xml",
            fixed(SimResponse(body=_sitemapindex(index), headers={"Content-Type": "text/xml"})),
        )
        return "/sitemap_index.xml"
    # One feed with every item: a real feed keeps the latest few dozen, but a corpus must be reachable.
    items = [(site.url(e.url_path), f"文章{e.page}", date.fromisoformat(e.date)) for e in entries]
    rss = SimResponse(body=_rss(items), headers={"Content-Type": "application/rss+xml; charset=utf-8"})
    add("/rss.xml", fixed(rss))
    return "/rss.xml"


# -- command line ------------------------------------------------------------------------------------


def add_seeds_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seeds",
        type=Path,
        nargs="+",
        default=SEED_DIRS,
        help="folders of real pages to rewrite (default: the repo's fixture pages, 28 KB on average; "
        "full-size pages, such as the development corpus outside the repo, keep real page sizes)",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--sources", type=int, default=None, help=f"default: {MIN_SOURCES}-{MAX_SOURCES} by size"
    )
    add_seeds_argument(parser)
    parser.add_argument("--web", action="store_true", help="then serve it on loopback until interrupted")
    args = parser.parse_args()
    description = generate(args.out, args.pages, seed=args.seed, sources=args.sources, seed_dirs=args.seeds)
    summary = {k: v for k, v in description.items() if k not in ("sources", "seed_pages")}
    summary["sources"] = len(description["sources"])
    summary["megabytes"] = round(description["bytes"] / 1e6, 1)
    print(json.dumps(summary, indent=1))
    if args.web:
        return _serve_forever(args.out)
    return 0


def _serve_forever(corpus: Path) -> int:
    import yaml

    from tests.simweb import SimWeb

    with SimWeb() as web:
        served = serve_corpus(web, corpus)
        registry = {"sources": [s.source.model_dump(mode="json", exclude_defaults=True) for s in served]}
        path = corpus / "sources.yml"
        path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
        print(
            f"serving {len(served)} sites; crawl with: RNW_SOURCES={path} RNW_FETCH_ALLOW_LOOPBACK=true rnw scrape"
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
