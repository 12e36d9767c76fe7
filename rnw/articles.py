"""Pages to articles: the Python behind the dbt model ``int_pages_extracted``.

Kept out of SQL so it can be tested on real pages with pytest. One output row per page, with
its articles as a list, so a page that yields nothing (or fails) is still visible with a status.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from typing import TYPE_CHECKING

import pyarrow as pa

from rnw.incremental import in_rowid_ranges
from scrapers.article import ExtractedArticle
from scrapers.textdump import split_text_dump

if TYPE_CHECKING:
    import duckdb

log = logging.getLogger(__name__)

TEXTDUMP_VERSION = "textdump-1"
# Raw pages one query reads for extraction (``int_pages_extracted``, by ranges of page_seq): a
# DuckDB scan of long text holds native memory until the query ends
# (``rnw.incremental.batches_in_rowid_ranges``). Reading the HTML of 100k bench pages (23 KB each)
# under a 96 MB cap took a process to 703 MiB in one query, 400 at 10k; in queries of 5,000 pages
# to 320 and 285, of 1,000 to 195 and 190 (bench/RESULTS.md, twenty-sixth session).
PAGES_PER_READ = 1_000
# Raw bytes (stg_raw__pages.byte_size) of the pages whose text one query joins from its parts, at
# most: DuckDB holds a range's parts until each page's are joined, and 1,000 full-size pages (122 KB
# each) ran a first load out of its 96 MB cap (bench/RESULTS.md, thirty-seventh session).
TEXT_BYTES_PER_READ = 16 * 1024 * 1024

ARTICLE_TYPE = pa.struct(
    [
        ("position_in_page", pa.int32()),
        ("title", pa.string()),
        ("subtitle", pa.string()),
        ("body_text", pa.string()),
        ("body_hash", pa.string()),
        ("authors", pa.list_(pa.string())),
        ("credits_json", pa.string()),
        ("published_at", pa.timestamp("us", tz="UTC")),
        ("site_name", pa.string()),
        ("canonical_url", pa.string()),
        ("links", pa.list_(pa.string())),
        ("sections_json", pa.string()),
    ]
)
PAGE_SCHEMA = pa.schema(
    [
        ("page_id", pa.string()),
        ("extractor_version", pa.string()),
        ("extraction_status", pa.string()),
        ("extraction_error", pa.string()),
        ("articles", pa.list_(ARTICLE_TYPE)),
    ]
)
_SPACE = re.compile(r"\s+")


def fold_key(body: str) -> str:
    """Content hash under which copies of one story that differ only in white space or
    full-width/half-width forms fall together."""
    folded = _SPACE.sub("", unicodedata.normalize("NFKC", body))
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def is_html(content_type: str | None, text: str) -> bool:
    if content_type:
        return "html" in content_type.lower()
    return "<html" in text[:2048].lower()


def current_extractor_versions() -> tuple[str, str]:
    """Versions a page may carry and still count as extracted by the code that runs now."""
    from scrapers.extraction import EXTRACTOR_VERSION

    return EXTRACTOR_VERSION, TEXTDUMP_VERSION


def extract_page(text: str, content_type: str | None, uri: str | None) -> tuple[str, list[ExtractedArticle]]:
    """The articles of one page and the extractor version that produced them."""
    if is_html(content_type, text):
        from scrapers.extraction import EXTRACTOR_VERSION, extract_html

        return EXTRACTOR_VERSION, extract_html(text, url=uri)
    return TEXTDUMP_VERSION, split_text_dump(text)


def _article_row(position: int, article: ExtractedArticle) -> dict:
    return {
        "position_in_page": position,
        "title": article.title,
        "subtitle": article.subtitle,
        "body_text": article.body_text,
        "body_hash": fold_key(article.body_text),
        "authors": list(article.authors),
        "credits_json": json.dumps([asdict(c) for c in article.credits], ensure_ascii=False),
        "published_at": article.published_at,
        "site_name": article.site_name,
        "canonical_url": article.canonical_url,
        "links": list(article.links),
        "sections_json": json.dumps([asdict(s) for s in article.sections], ensure_ascii=False),
    }


def pages_with_text(
    session: duckdb.DuckDBPyConnection,
    pages: duckdb.DuckDBPyRelation,
    parts: duckdb.DuckDBPyRelation,
    pages_per_read: int,
    batch_rows: int,
) -> Iterator[pa.RecordBatch]:
    """``pages`` (page_id, content_type, uri, page_seq, byte_size) with each page's text joined
    from its ``parts`` (page_seq, part, text_part): batches of ``batch_rows`` pages with the columns
    ``extract_pages`` reads. A query reads at most ``pages_per_read`` pages, of about
    ``TEXT_BYTES_PER_READ`` raw bytes at most (passed by its last page's at most).

    Each query reads one range of page_seq, which DuckDB applies inside the scan of both tables
    (the range on the pages carries over the join to the parts, and through their grouping), so
    a nightly's few pages read only their own parts."""
    texts = parts.aggregate("page_seq, string_agg(text_part, '' ORDER BY part) AS page_text", "page_seq")
    ranges = in_rowid_ranges(
        session, pages, "page_seq", pages_per_read, size=("byte_size", TEXT_BYTES_PER_READ)
    )
    for part in ranges:
        joined = part.join(texts, "page_seq").project("page_id, page_text, content_type, uri")
        yield from joined.to_arrow_reader(batch_rows)


def extract_pages(batches: Iterable[pa.RecordBatch]) -> pa.Table:
    """Extract every page in ``batches`` (columns page_id, page_text, content_type, uri)."""
    rows = []
    for batch in batches:
        for page in batch.to_pylist():
            version = ""
            try:
                version, articles = extract_page(page["page_text"], page["content_type"], page["uri"])
            except Exception as exc:  # noqa: BLE001  one hostile page must not stop the build
                log.warning("extraction failed for page %s: %s", page["page_id"], exc)
                rows.append(_page_row(page["page_id"], version, "error", f"{type(exc).__name__}: {exc}", []))
                continue
            status = "ok" if articles else "no_article"
            rows.append(
                _page_row(
                    page["page_id"],
                    version,
                    status,
                    None,
                    [_article_row(i, a) for i, a in enumerate(articles)],
                )
            )
    return pa.Table.from_pylist(rows, schema=PAGE_SCHEMA)


def _page_row(page_id: str, version: str, status: str, error: str | None, articles: list[dict]) -> dict:
    return {
        "page_id": page_id,
        "extractor_version": version,
        "extraction_status": status,
        "extraction_error": error,
        "articles": articles,
    }
