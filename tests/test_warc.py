"""WARC ingest on a real DuckDB file: archives built here from corpus pages, intact and damaged."""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from rnw.cli import app
from rnw.ingest import ingest_paths, iter_files
from rnw.rawstore import RawStore, sha256_hex
from tests.conftest import FIXTURES

# Real corpus pages, provenance and licences in tests/fixtures/simweb/README.md.
PAGES = FIXTURES / "simweb" / "pages"
UTF8_PAGE = PAGES / "newspaper4k-214bee02b4e9.html"
GBK_PAGE = PAGES / "cwced-05b56cb7b13c.html"
DATE = "2023-05-04T03:02:01Z"
GBK_DATE = "2023-05-04T03:09:00.250000Z"


def response(
    writer: WARCWriter, uri: str, status: str, headers: list[tuple[str, str]], body: bytes, date: str = DATE
) -> ArcWarcRecord:
    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    return writer.create_warc_record(
        uri, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict={"WARC-Date": date}
    )


def news_archive(path: Path) -> Path:
    """A crawl as Common Crawl News writes it: one gzip member per record, the last one cut short."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
    request = StatusAndHeaders("GET /a HTTP/1.1", [("Host", "news.example.cn")], is_http_request=True)
    writer.write_record(
        writer.create_warc_record("https://news.example.cn/a", "request", http_headers=request)
    )
    html = [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("ETag", '"v1"')]
    writer.write_record(
        response(
            writer,
            "https://news.example.cn/a",
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), *html],
            UTF8_PAGE.read_bytes(),
        )
    )
    # GBK bytes under a header that claims UTF-8, as misconfigured Chinese sites send them.
    writer.write_record(
        response(
            writer,
            "http://bbs.example.cn/b",
            "200 OK",
            [("Content-Type", "text/html; charset=UTF-8")],
            GBK_PAGE.read_bytes(),
            GBK_DATE,
        )
    )
    gone = b"<html><body>404 Not Found</body></html>"
    writer.write_record(
        response(
            writer, "https://news.example.cn/gone", "404 Not Found", [("Content-Type", "text/html")], gone
        )
    )
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    writer.write_record(
        response(writer, "https://news.example.cn/logo.png", "200 OK", [("Content-Type", "image/png")], png)
    )
    writer.write_record(
        response(
            writer,
            "https://news.example.cn/broken",
            "200 OK",
            [("Content-Type", "text/html")],
            b"\x00\x01\x02" * 500,
        )
    )
    writer.write_record(
        writer.create_warc_record(
            "https://news.example.cn/a",
            "metadata",
            payload=io.BytesIO(b"via: test\r\n"),
            warc_content_type="application/warc-fields",
        )
    )
    intact = buffer.getvalue()
    last = io.BytesIO()
    tail = WARCWriter(last, gzip=True)
    tail.write_record(
        response(
            tail,
            "https://news.example.cn/cut",
            "200 OK",
            [("Content-Type", "text/html")],
            UTF8_PAGE.read_bytes(),
        )
    )
    member = last.getvalue()
    path.write_bytes(intact + member[: len(member) // 2])
    return path


@pytest.fixture
def store(tmp_path: Path) -> RawStore:
    return RawStore(tmp_path / "raw.duckdb")


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_responses_become_pages_with_their_crawl_metadata(store: RawStore, tmp_path: Path) -> None:
    folder = tmp_path / "backfill"
    folder.mkdir()
    archive = news_archive(folder / "crawl-00001.warc.gz")
    assert list(iter_files([folder])) == [archive], "archives inside folders are picked up"

    report = ingest_paths(store, [folder], source_id="ccnews", run_id="r1", batch_size=2)

    assert report.files == 1
    assert (report.result.pages_new, report.result.pages_seen) == (2, 0)
    pages = {
        uri: rest
        for uri, *rest in rows(
            store.path,
            "SELECT uri, fetched_at, http_status, http_headers, content_type, declared_charset, "
            "detected_encoding, raw_bytes, text, page_id FROM pages JOIN page_contents USING (page_id)",
        )
    }
    assert set(pages) == {"https://news.example.cn/a", "http://bbs.example.cn/b"}
    fetched_at, status, headers, content_type, declared, encoding, raw, text, page_id = pages[
        "https://news.example.cn/a"
    ]
    assert fetched_at == datetime(2023, 5, 4, 3, 2, 1, tzinfo=UTC)
    assert status == 200 and content_type == "text/html"
    assert json.loads(headers) == {
        "content-type": "text/html; charset=utf-8",
        "set-cookie": "a=1, b=2",
        "etag": '"v1"',
    }
    assert raw == UTF8_PAGE.read_bytes() and page_id == sha256_hex(raw)
    assert (declared, encoding) == ("utf-8", "utf-8") and text == raw.decode("utf-8")

    fetched_at, status, _, _, declared, encoding, raw, text, _ = pages["http://bbs.example.cn/b"]
    assert fetched_at == datetime(2023, 5, 4, 3, 9, 0, 250000, tzinfo=UTC)
    assert (declared, encoding) == ("utf-8", "gb18030"), "the header lied; the bytes decide"
    assert text == GBK_PAGE.read_bytes().decode("gb18030") and "凉山" in text

    rejects = rows(store.path, "SELECT uri, reason, detail FROM rejects ORDER BY uri")
    assert [(uri, reason) for uri, reason, _ in rejects] == [
        (archive.resolve().as_uri(), "warc_corrupt"),
        ("https://news.example.cn/broken", "decode_error"),
        ("https://news.example.cn/gone", "http_404"),
        ("https://news.example.cn/logo.png", "not_html"),
    ]
    corrupt_detail = rejects[0][2]
    assert "news.example.cn/cut" in corrupt_detail and "truncated" in corrupt_detail
    assert rejects[3][2] == "image/png"

    again = ingest_paths(store, [archive], source_id="ccnews", run_id="r2")
    assert (again.result.pages_new, again.result.pages_seen, again.result.rejects_new) == (0, 2, 0)
    assert rows(store.path, "SELECT count(*), count(DISTINCT run_id) FROM pages") == [(2, 1)]
    assert rows(store.path, "SELECT count(*) FROM page_sightings") == [(2,)]
    assert rows(store.path, "SELECT count(*) FROM rejects") == [(4,)]


def test_damaged_record_is_quarantined_and_reading_goes_on(store: RawStore, tmp_path: Path) -> None:
    """Uncompressed archives carry no checksum of their own: the WARC block digest finds the damage."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    body = UTF8_PAGE.read_bytes()
    for name in ("first", "second"):
        writer.write_record(
            response(
                writer,
                f"https://news.example.cn/{name}",
                "200 OK",
                [("Content-Type", "text/html")],
                body + name.encode(),
            )
        )
    data = bytearray(buffer.getvalue())
    spot = data.index(body[:200]) + 100  # inside the first body
    data[spot : spot + 3] = b"XXX"
    (tmp_path / "site-export.warc").write_bytes(bytes(data))
    (tmp_path / "not-an-archive.warc").write_bytes(b"<html><body>saved page, wrong name</body></html>")
    (tmp_path / "empty.warc.gz").write_bytes(b"")

    ingest_paths(store, [tmp_path], source_id="export", run_id="r1")

    assert rows(store.path, "SELECT uri FROM pages") == [("https://news.example.cn/second",)]
    rejects = dict(rows(store.path, "SELECT regexp_extract(uri, '[^/]+$'), reason FROM rejects"))
    assert rejects == {
        "first": "warc_corrupt",
        "not-an-archive.warc": "warc_corrupt",
        "empty.warc.gz": "empty_file",
    }


def test_cli_ingests_an_archive(tmp_path: Path, prefect_harness: None) -> None:
    archive = news_archive(tmp_path / "crawl.warc.gz")
    home = tmp_path / "var"
    env = {"RNW_HOME": str(home), "PREFECT_HOME": os.environ.get("PREFECT_HOME")}  # restored afterwards

    result = CliRunner().invoke(
        app, ["--home", str(home), "ingest", str(archive)], env=env, catch_exceptions=False
    )

    assert result.exit_code == 0, result.output
    assert "2 new" in result.output and "4 rejected" in result.output
    assert rows(home / "raw.duckdb", "SELECT uri, source_id FROM pages ORDER BY uri") == [
        ("http://bbs.example.cn/b", "local-files"),
        ("https://news.example.cn/a", "local-files"),
    ]
