"""Raw store and file ingest on a real DuckDB file: content addressing, encodings, quarantine."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from rnw.ingest import MAX_PAGE_BYTES, IngestError, ingest_paths, ingest_sources, iter_files
from rnw.rawstore import APPEND_BYTES, PART_BYTES, RawPage, RawStore, sha256_hex


@pytest.fixture
def store(tmp_path: Path) -> RawStore:
    return RawStore(tmp_path / "raw.duckdb")


def rows(store: RawStore, sql: str) -> list[tuple]:
    con = duckdb.connect(str(store.path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def text_pages(texts: list[str], source_id: str, run_id: str) -> list[RawPage]:
    """Plain-text pages as ingest stores a file of each text (page_id hashed on its bytes)."""
    now = datetime.now(UTC)
    return [
        RawPage(
            sha256_hex(t.encode()),
            source_id,
            f"file:///{i}.txt",
            now,
            None,
            None,
            "text/plain",
            None,
            "utf-8",
            t.encode(),
            t,
            run_id,
        )
        for i, t in enumerate(texts)
    ]


def write_pages(folder: Path, body: str, count: int, size: int) -> None:
    """``count`` HTML files of about ``size`` bytes each, distinct."""
    folder.mkdir()
    for i in range(count):
        page = f"<html><body><h1>第{i}篇</h1><p>{body}</p></body></html>"
        (folder / f"{i:03d}.html").write_text(page * (size // len(page.encode())), encoding="utf-8")


def test_same_bytes_add_no_row_but_every_place_is_kept(
    store: RawStore, tmp_path: Path, sample_text: str
) -> None:
    a, b = tmp_path / "in" / "a.txt", tmp_path / "in" / "copy" / "b.txt"
    b.parent.mkdir(parents=True)
    a.write_text(sample_text, encoding="utf-8")
    b.write_text(sample_text, encoding="utf-8")
    first = ingest_paths(store, [tmp_path / "in"], source_id="s", run_id="r1")
    again = ingest_paths(store, [tmp_path / "in"], source_id="s", run_id="r2")
    assert (first.result.pages_new, first.result.pages_seen) == (1, 1)
    assert (again.result.pages_new, again.result.pages_seen) == (0, 2)
    assert rows(store, "SELECT count(*) FROM pages") == [(1,)]
    assert rows(store, "SELECT count(*) FROM page_sightings") == [(2,)]
    assert rows(store, "SELECT run_id FROM pages") == [("r1",)]


def test_sources_share_batches_and_each_page_keeps_its_source(
    store: RawStore, tmp_path: Path, sample_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folders = {}
    for n, source in enumerate(["a", "b", "c"]):
        folder = folders[source] = tmp_path / source
        folder.mkdir()
        for k in range(2):
            (folder / f"{k}.txt").write_text(f"{source}{k}\n" + sample_text[n * 500 : n * 500 + 400], "utf-8")
    (folders["c"] / "empty.txt").write_bytes(b"")
    appends: list[int] = []
    append = store.append
    monkeypatch.setattr(store, "append", lambda p, r: appends.append(len(p) + len(r)) or append(p, r))
    report = ingest_sources(store, {s: [f] for s, f in folders.items()}, run_id="r", batch_size=4)
    assert report.files == 7 and report.result.pages_new == 6 and report.result.rejects_new == 1
    assert appends == [4, 3], "batches span sources: 7 items in 2 appends, not one or more per source"
    by_source = rows(store, "SELECT source_id, count(*) FROM page_sightings GROUP BY 1 ORDER BY 1")
    assert by_source == [("a", 2), ("b", 2), ("c", 2)]
    assert rows(store, "SELECT source_id FROM rejects") == [("c",)]


def test_a_batch_of_large_pages_is_stored_in_transactions_that_fit_the_cap(
    store: RawStore, tmp_path: Path, sample_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """200 pages of 250 KB (a batch of ingest, 100 MB with their text) ran one insert out of
    DuckDB's 160 MB cap; written in parts of APPEND_BYTES they all go in, once, and ingest does
    not gather more than about APPEND_BYTES of them before it writes."""
    folder = tmp_path / "large"
    write_pages(folder, sample_text[:4000], 200, 250_000)
    batches: list[int] = []
    append = store.append

    def recorded(pages=(), rejects=()):
        batches.append(sum(len(p.raw_bytes) for p in pages))
        return append(pages, rejects)

    monkeypatch.setattr(store, "append", recorded)
    report = ingest_paths(store, [folder], source_id="s", run_id="r1")
    assert (report.result.pages_new, report.result.rejects_new) == (200, 0)
    assert len(batches) > 1 and max(batches) < APPEND_BYTES + 260_000
    assert rows(store, "SELECT count(*), min(byte_size) > 240000 FROM pages") == [(200, True)]
    again = ingest_paths(store, [folder], source_id="s", run_id="r2")
    assert (again.result.pages_new, again.result.pages_seen) == (0, 200)


def test_pages_over_a_duckdb_block_are_stored_under_160_mb_and_come_back_whole(
    tmp_path: Path, sample_text: str
) -> None:
    """DuckDB pins every string over 256 KB of a table's last row group (2,048 rows) while it appends:
    stored as rows, 200 pages of 400 KB (with their text, 160 MB) ran the raw store's commits out of
    a 160 MB cap, as 24 copies of the real corpus did. Cut into parts of PART_BYTES, they pass
    under it, and each comes back whole."""
    store = RawStore(tmp_path / "raw.duckdb", memory_limit="160MB")
    folder = tmp_path / "over_a_block"
    write_pages(folder, sample_text[:4000], 200, 400_000)
    report = ingest_paths(store, [folder], source_id="s", run_id="r1")
    assert (report.result.pages_new, report.result.rejects_new) == (200, 0)
    assert rows(store, "SELECT count(*), min(byte_size) > 390000 FROM pages") == [(200, True)]
    widest = rows(store, "SELECT max(octet_length(raw_bytes)), max(strlen(text)) FROM page_parts")
    assert max(widest[0]) <= PART_BYTES
    stored = dict(
        rows(
            store,
            "SELECT regexp_extract(uri, '[^/]+$'), raw_bytes FROM pages JOIN page_contents USING (page_id)",
        )
    )
    assert stored == {path.name: path.read_bytes() for path in folder.iterdir()}


def test_a_gbk_page_at_the_size_limit_is_stored_and_one_byte_more_is_quarantined(
    store: RawStore, tmp_path: Path, sample_text: str
) -> None:
    """A GBK page's text takes 1.5 times its bytes in UTF-8: at the limit, its bytes and text must
    still fit one insert under the raw store's cap (a 19 MB page did not under a 20 MB limit)."""
    folder = tmp_path / "limit"
    folder.mkdir()
    unit = sample_text[10233:10800].encode("gbk")
    body = unit * (MAX_PAGE_BYTES // len(unit))
    (folder / "at_limit.txt").write_bytes(body + b" " * (MAX_PAGE_BYTES - len(body)))
    (folder / "over_limit.txt").write_bytes(body + b" " * (MAX_PAGE_BYTES + 1 - len(body)))
    report = ingest_paths(store, [folder], source_id="s", run_id="r1")
    assert (report.result.pages_new, report.result.rejects_new) == (1, 1)
    assert rows(store, "SELECT byte_size, detected_encoding FROM pages") == [(MAX_PAGE_BYTES, "gb18030")]
    assert rows(store, "SELECT regexp_extract(uri, '[^/]+$'), reason FROM rejects") == [
        ("over_limit.txt", "too_large")
    ]


def test_binary_and_empty_are_quarantined_and_gbk_is_decoded(
    store: RawStore, tmp_path: Path, sample_text: str
) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "image.html").write_bytes(bytes(range(256)) * 40)
    (folder / "empty.txt").write_bytes(b"")
    gbk_text = sample_text[10233:10800]
    (folder / "gbk.txt").write_bytes(gbk_text.encode("gbk"))
    report = ingest_paths(store, [folder], source_id="s", run_id="r1")
    assert report.files == 3 and report.result.pages_new == 1 and report.result.rejects_new == 2
    reasons = dict(rows(store, "SELECT regexp_extract(uri, '[^/]+$'), reason FROM rejects"))
    assert reasons == {"image.html": "binary_content", "empty.txt": "empty_file"}
    ((text, encoding),) = rows(
        store, "SELECT text, detected_encoding FROM pages JOIN page_contents USING (page_id)"
    )
    assert encoding == "gb18030" and text == gbk_text
    again = ingest_paths(store, [folder], source_id="s", run_id="r2")
    assert again.result.rejects_new == 0, "the same failure again is not a new reject row"


def test_declared_charset_is_kept_but_bytes_decide(store: RawStore, tmp_path: Path) -> None:
    page = '<html><head><meta charset="gb2312"><title>凉山</title></head><body><p>青山绿水，阳光明媚。</p></body></html>'
    (tmp_path / "lying.html").write_bytes(page.encode("utf-8"))
    ingest_paths(store, [tmp_path / "lying.html"], source_id="s", run_id="r1")
    assert rows(store, "SELECT declared_charset, detected_encoding, content_type FROM pages") == [
        ("gb2312", "utf-8", "text/html")
    ]


def test_missing_path_is_a_clear_error(store: RawStore, tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file or folder"):
        ingest_paths(store, [tmp_path / "nope"], source_id="s", run_id="r1")


def test_missing_path_of_any_source_fails_before_anything_is_staged(store: RawStore, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("凉山州新闻", "utf-8")
    with pytest.raises(IngestError, match="no such file or folder"):
        ingest_sources(store, {"a": [tmp_path / "a.txt"], "b": [tmp_path / "nope"]}, run_id="r")
    assert rows(store, "SELECT count(*) FROM page_sightings") == [(0,)]


def test_folders_are_listed_in_sorted_path_order(tmp_path: Path) -> None:
    names = ["b.html", "a.html", "a/z.txt", "a-b/c.htm", "A/x.TXT", "a/sub/y.warc.gz", "a/skip.pdf", "c"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    expected = [
        p for p in sorted(tmp_path.rglob("*")) if p.is_file() and p.suffix.lower() not in {".pdf", ""}
    ]
    assert list(iter_files([tmp_path])) == expected
    assert len(expected) == 6


def test_folders_are_listed_as_they_are_read(
    store: RawStore, tmp_path: Path, sample_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files are listed as ingest reaches them, not all up front (a backfill of 100k pages held
    lists of every path): a file that lands in the second source's folder while the first
    source's batch is being written is staged too."""
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second):
        folder.mkdir()
    for k in range(2):
        (first / f"{k}.txt").write_text(f"{k}\n{sample_text[:300]}", "utf-8")
    append = store.append

    def append_then_drop_a_file(pages, rejects):
        (second / "late.txt").write_text(f"late\n{sample_text[:300]}", "utf-8")
        return append(pages, rejects)

    monkeypatch.setattr(store, "append", append_then_drop_a_file)
    monkeypatch.setenv("RNW_WORKERS", "1")  # decoded in-process, one file after another
    monkeypatch.setenv("RNW_PARALLEL_MIN_ROWS", "1")  # (not the first 200 files read ahead, timed)
    report = ingest_sources(store, {"first": [first], "second": [second]}, run_id="r", batch_size=2)
    assert report.files == 3 and report.result.pages_new == 3


def test_a_session_attaches_once_for_many_sources_and_leaves_no_log(
    store: RawStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A nightly ingests dozens of sources: each attach replays the write-ahead log (up to 16 MB),
    so a stage attaches once, writes from any thread, and checkpoints before the build attaches."""
    import threading

    pages = sorted((Path(__file__).parent / "fixtures" / "extraction" / "pages").glob("*.html"))[:6]
    attaches = 0
    attach = RawStore._attach

    def counting(self: RawStore, read_only: bool = False):
        nonlocal attaches
        attaches += 1
        return attach(self, read_only)

    monkeypatch.setattr(RawStore, "_attach", counting)
    with store.session(), store.session():
        for n in range(4):
            ingest_paths(RawStore(store.path), pages[n : n + 1], source_id=f"s{n}", run_id="r")
        worker = threading.Thread(
            target=ingest_paths, args=(store, pages[4:6]), kwargs={"source_id": "t", "run_id": "r"}
        )
        worker.start()
        worker.join()
    assert attaches == 1
    assert not Path(f"{store.path}.wal").exists() or Path(f"{store.path}.wal").stat().st_size == 0
    assert rows(store, "SELECT count(*), count(DISTINCT source_id) FROM page_sightings") == [(6, 5)]


@pytest.mark.parametrize(("bulk_build_pages", "started"), [(4, 1), (10, 0)])
def test_ingest_starts_the_pool_ahead_of_a_bulk_build(
    store: RawStore, monkeypatch: pytest.MonkeyPatch, bulk_build_pages: int, started: int
) -> None:
    """From bulk_build_pages files, ingest starts the workers for the bulk build that follows, and
    decodes the rest of its files on them; fewer files leave it to the build, which starts them
    before dbt loads."""
    import rnw.ingest

    pages = sorted((Path(__file__).parent / "fixtures" / "extraction" / "pages").glob("*.html"))[:5]
    monkeypatch.setenv("RNW_BULK_BUILD_PAGES", str(bulk_build_pages))
    starts: list[bool] = []
    monkeypatch.setattr(rnw.ingest, "start_pool", lambda: starts.append(True))
    report = ingest_paths(store, pages, source_id="files", run_id="r")
    assert report.files == 5
    assert len(starts) == started


# The pages table as the raw store wrote it before page_parts: each row held its page's content.
WHOLE_PAGE_ROWS = """
CREATE TABLE pages (
    page_id VARCHAR PRIMARY KEY,
    source_id VARCHAR NOT NULL,
    uri VARCHAR NOT NULL,
    fetched_at TIMESTAMPTZ NOT NULL,
    http_status INTEGER,
    http_headers VARCHAR,
    content_type VARCHAR,
    declared_charset VARCHAR,
    detected_encoding VARCHAR NOT NULL,
    raw_bytes BLOB NOT NULL,
    text VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL
)
"""


def test_a_store_of_whole_page_rows_is_upgraded_in_steps_a_kill_only_pauses(
    tmp_path: Path, sample_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A raw store written before page_parts is upgraded when it is opened: every page keeps its
    row (page_seq is its rowid, the order earlier builds read it in) and its content moves to
    page_parts, a few pages per transaction. Stopped partway, the next opening finishes the job, and
    every page's bytes and text come back as they were stored."""
    import rnw.rawstore

    path = tmp_path / "raw.duckdb"
    texts = [sample_text[: 50 * (i + 1)] * (i * 40 + 1) for i in range(7)]  # 50 characters to 250 KB
    pages = text_pages(texts, "s", "r")
    gbk = texts[3].encode("gb18030")
    pages[3] = RawPage(
        **{**pages[3].__dict__, "page_id": sha256_hex(gbk), "raw_bytes": gbk, "detected_encoding": "gb18030"}
    )
    with duckdb.connect(str(path)) as con:
        con.execute(WHOLE_PAGE_ROWS)
        for page in pages:
            con.execute(
                "INSERT INTO pages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", list(page.__dict__.values())
            )

    moved = rnw.rawstore._page_parts
    calls = 0

    def killed_on_the_third(*args):
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt
        return moved(*args)

    monkeypatch.setattr(rnw.rawstore, "MIGRATION_PAGES", 2)
    monkeypatch.setattr(rnw.rawstore, "_page_parts", killed_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        RawStore(path)
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT count(page_seq), count(*) FROM pages").fetchone() == (4, 7)
        assert con.execute("SELECT count(DISTINCT page_seq) FROM page_parts").fetchone() == (4,)
    monkeypatch.setattr(rnw.rawstore, "_page_parts", moved)

    store = RawStore(path)
    assert (
        rows(
            store,
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'pages' AND column_name IN ('raw_bytes', 'text')",
        )
        == []
    )
    stored = rows(
        store,
        "SELECT page_seq, page_id, byte_size, detected_encoding, raw_bytes, text "
        "FROM pages JOIN page_contents USING (page_seq, page_id) ORDER BY page_seq",
    )
    assert stored == [
        (seq, p.page_id, len(p.raw_bytes), p.detected_encoding, p.raw_bytes, p.text)
        for seq, p in enumerate(pages)
    ]
    assert rows(store, "SELECT count(*) > 7 FROM page_parts") == [(True,)], "pages over PART_BYTES are cut"
    RawStore(path)  # already upgraded: nothing to do
    (new,) = text_pages(["后来的一页"], "s", "r2")
    assert store.append([new, pages[0]]).pages_new == 1
    assert rows(store, f"SELECT page_seq FROM pages WHERE page_id = '{new.page_id}'") == [(7,)]


def test_a_store_made_with_another_view_definition_gets_this_versions_on_open(tmp_path: Path) -> None:
    """Created IF NOT EXISTS, page_contents kept the definition of the version that first opened the
    store. Opened again, a store whose view differs gets the current one, and a current store is
    opened without writing its catalog."""
    path = tmp_path / "raw.duckdb"
    store = RawStore(path)
    store.append(text_pages(["第一页", "第二页"], "s", "r1"))
    with duckdb.connect(str(path)) as con:  # as an older version left it
        con.execute("CREATE OR REPLACE VIEW page_contents AS SELECT page_id, 'old' AS text FROM page_parts")
    store = RawStore(path)
    assert rows(store, "SELECT text FROM page_contents ORDER BY page_seq") == [("第一页",), ("第二页",)]

    log = path.with_name(path.name + ".wal")  # the store leaves its writes in the log on close
    written = log.stat().st_size
    assert written > 0
    RawStore(path)
    assert log.stat().st_size == written, "a current view was not made again"
