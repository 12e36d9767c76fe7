"""The raw store: every page ever read, content-addressed and append-only, in ``raw.duckdb``.

Only ingest and scrape write here, and only while no build runs: dbt attaches the file read-only,
which DuckDB refuses while a writer holds it. A run's fetch stage keeps one connection open for all
its writes (``RawStore.session``) and closes it before the build. ``page_id`` is the sha256 of the
raw bytes: the same bytes again add no row, while every place they were seen is kept in
``page_sightings``. Nothing is updated or deleted; the exceptions are ``sources``, a copy of the
registry that follows ``sources.yml``, and the run history (``pipeline_runs``, ``stage_metrics``),
which is operational metadata, not content.

A page's bytes and decoded text are stored in ``page_parts``, cut into rows of about
``PART_BYTES``, beside its row in ``pages``; its ``page_seq`` (0, 1, 2, ... in the order pages
were stored) ties the two and lets a reader take a range of pages from both tables. DuckDB keeps
a table's last, partly filled row group (2,048 rows, its smallest) in memory while it appends,
and rewrites it at every checkpoint: with whole pages as rows (122 KB of bytes and as much text
for the real corpus's pages), that row group held up to 500 MB, and committing 2,000 such pages
took 9.3 s against 1.1 s for their inserts (bench/RESULTS.md, thirty-seventh session).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from rnw.dbfiles import discard_unfinished

RAW_ROW_GROUP_SIZE = 2048
# The raw bytes, and the UTF-8 of the text, that one row of page_parts holds (a page is cut into as
# many parts of equal length as the larger of the two needs): a row group of parts then holds about
# 2,048 x 32 KB = 64 MB, whatever the pages' size.
PART_BYTES = 16 * 1024
# Pages (raw bytes and decoded text) written per transaction. DuckDB holds an insert's rows several
# times over until it commits (the Arrow batch, its own vectors, the transaction's storage): under
# the 160 MB cap, one batch of 200 pages of 250 KB each (100 MB) ran out of memory while 200 of 100
# KB passed, and so did one page of 15 MB where one of 19 MB did not (bench/RESULTS.md, thirty-fifth
# session).
APPEND_BYTES = 32 * 1024 * 1024
# Pages whose content one transaction of the upgrade of an older store moves to page_parts.
MIGRATION_PAGES = 200
SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    page_id VARCHAR PRIMARY KEY,
    source_id VARCHAR NOT NULL,
    uri VARCHAR NOT NULL,
    fetched_at TIMESTAMPTZ NOT NULL,
    http_status INTEGER,
    http_headers VARCHAR,
    content_type VARCHAR,
    declared_charset VARCHAR,
    detected_encoding VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    page_seq BIGINT NOT NULL,
    byte_size BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS page_parts (
    page_id VARCHAR NOT NULL,
    page_seq BIGINT NOT NULL,
    part INTEGER NOT NULL,
    raw_bytes BLOB NOT NULL,
    text VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS page_sightings (
    sighting_id VARCHAR PRIMARY KEY,
    page_id VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    uri VARCHAR NOT NULL,
    seen_at TIMESTAMPTZ NOT NULL,
    run_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS rejects (
    reject_id VARCHAR PRIMARY KEY,
    uri VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    detail VARCHAR,
    seen_at TIMESTAMPTZ NOT NULL,
    run_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS pipeline_runs (
    run_id VARCHAR PRIMARY KEY,
    flow VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status VARCHAR NOT NULL,
    error VARCHAR,
    files_read INTEGER,
    pages_fetched INTEGER,
    pages_new INTEGER,
    pages_already_seen INTEGER,
    pages_rejected INTEGER,
    articles INTEGER,
    articles_new INTEGER,
    articles_updated INTEGER,
    duplicates_folded INTEGER,
    indicators INTEGER,
    dbt_tests_passed INTEGER,
    dbt_tests_failed INTEGER,
    dbt_tests_warned INTEGER
);
CREATE TABLE IF NOT EXISTS stage_metrics (
    run_id VARCHAR NOT NULL,
    stage VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    seconds DOUBLE NOT NULL,
    PRIMARY KEY (run_id, stage, started_at)
);
CREATE TABLE IF NOT EXISTS sources (
    source_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    base_url VARCHAR,
    region_code VARCHAR,
    enabled BOOLEAN NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
"""
# The store's views, by name (kept current by _keep_views_current).
VIEWS = {
    # A page's bytes and text, whole again: for an operator or a test reading a few pages back.
    "page_contents": """
        SELECT
            page_seq,
            page_id,
            unhex(string_agg(hex(raw_bytes), '' ORDER BY part)) AS raw_bytes,
            string_agg(text, '' ORDER BY part) AS text
        FROM page_parts
        GROUP BY page_seq, page_id
    """,
}


@dataclass(frozen=True)
class RawPage:
    page_id: str
    source_id: str
    uri: str
    fetched_at: datetime
    http_status: int | None
    http_headers: str | None
    content_type: str | None
    declared_charset: str | None
    detected_encoding: str
    raw_bytes: bytes
    text: str
    run_id: str


@dataclass(frozen=True)
class Reject:
    uri: str
    source_id: str
    reason: str
    detail: str | None
    seen_at: datetime
    run_id: str
    content_sha256: str = ""

    @property
    def reject_id(self) -> str:
        """The same failure of the same input is one row, however often it is retried."""
        return sha256_hex(
            f"{self.source_id}\x1f{self.uri}\x1f{self.reason}\x1f{self.content_sha256}".encode()
        )


@dataclass(frozen=True)
class SourceRow:
    source_id: str
    name: str
    kind: str
    base_url: str | None
    region_code: str | None
    enabled: bool = True


@dataclass(frozen=True)
class AppendResult:
    pages_new: int = 0
    pages_seen: int = 0
    rejects_new: int = 0

    def __add__(self, other: AppendResult) -> AppendResult:
        return AppendResult(
            self.pages_new + other.pages_new,
            self.pages_seen + other.pages_seen,
            self.rejects_new + other.rejects_new,
        )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def headers_json(headers: dict[str, str] | None) -> str | None:
    return json.dumps(dict(headers), ensure_ascii=False, sort_keys=True) if headers else None


# Open sessions by store file: every RawStore of that file in this process writes through it.
_sessions: dict[Path, duckdb.DuckDBPyConnection] = {}
_sessions_lock = threading.Lock()
# Appends in this process, one at a time: each numbers its new pages from the last page_seq stored
# (_insert_pages), which two transactions side by side would both read. Other processes cannot
# write while one holds the file.
_append_lock = threading.Lock()


class RawStore:
    """Batch writer and reader for ``raw.duckdb``: each call opens and closes its own connection,
    unless a session is open."""

    def __init__(self, path: Path, memory_limit: str | None = None) -> None:
        from rnw.settings import Settings

        self.path = path
        self.memory_limit = memory_limit or Settings().raw_duckdb_memory_limit
        discard_unfinished(path)
        with self._connect() as con:
            con.execute(SCHEMA)
            _move_content_to_parts(con)
            _keep_views_current(con)

    @contextmanager
    def session(self) -> Iterator[None]:
        """One connection for every write of a stage (a nightly's 50 sources, a scrape's batches),
        then a checkpoint.

        Attaching replays the write-ahead log, which grows to 16 MB between DuckDB's automatic
        checkpoints: up to 0.2 s per connection, paid by every source's every batch when each
        opened its own. The checkpoint at the end leaves the log empty for dbt's read-only attach.
        A session inside an open one is the open one.
        """
        key = self.path.resolve()
        with _sessions_lock:
            nested = key in _sessions
        if nested:
            yield
            return
        with self._attach() as con:
            with _sessions_lock:
                _sessions[key] = con
            try:
                yield
                con.execute("CHECKPOINT")
            finally:
                with _sessions_lock:
                    del _sessions[key]

    @contextmanager
    def _connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of the open session (its own transactions; safe from other threads), or a
        connection of its own."""
        with _sessions_lock:
            session = _sessions.get(self.path.resolve())
        if session is None:
            with self._attach(read_only) as con:
                yield con
            return
        cursor = session.cursor()
        try:
            cursor.execute("USE raw")
            yield cursor
        finally:
            cursor.close()

    @contextmanager
    def _attach(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """Attach with small row groups: DuckDB rewrites a table's last, partly filled row group at
        every checkpoint, and with the default 122,880 rows that row group holds every page ever
        stored, so each appended batch would rewrite the whole store (3 s per 200 pages at 10k pages,
        growing with the store). With 2,048 rows a batch rewrites at most ~2,000 pages."""
        con = duckdb.connect(config={"memory_limit": self.memory_limit})
        try:
            # A commit is durable in the write-ahead log; checkpointing it into the file on every
            # close rewrote the last row group (up to 2,048 pages) per batch, 0.3 s each. DuckDB
            # still checkpoints on its own once the log passes 16 MB, and read-only attachers
            # (dbt, publish) read the log too.
            con.execute("PRAGMA disable_checkpoint_on_shutdown")
            options = f"ROW_GROUP_SIZE {RAW_ROW_GROUP_SIZE}" + (", READ_ONLY" if read_only else "")
            path = str(self.path).replace("'", "''")
            con.execute(f"ATTACH '{path}' AS raw ({options})")
            con.execute("USE raw")
            yield con
        finally:
            con.close()

    def append(self, pages: Sequence[RawPage] = (), rejects: Sequence[Reject] = ()) -> AppendResult:
        """Insert pages and rejects; rows whose key exists already are skipped.

        Pages go in transactions of at most ``APPEND_BYTES`` each (a page with its parts and
        sightings), the rejects with the first: a kill between two leaves the first stored, which
        the re-run then counts as already seen. The counts are of the rows each transaction wrote
        (the pages it found new, the rejects an INSERT OR IGNORE wrote), not from counting the
        tables before and after.
        """
        pages_new = rejects_new = 0
        for number, part in enumerate(_parts_by_size(pages) if pages else [[]]):
            with _append_lock, self._connect() as con:
                con.begin()
                if part:
                    pages_new += _insert_pages(con, part)
                if rejects and number == 0:
                    rejects_new = _insert_rejects(con, rejects)
                con.commit()
        return AppendResult(pages_new=pages_new, pages_seen=len(pages) - pages_new, rejects_new=rejects_new)

    def register_sources(self, sources: Sequence[SourceRow], now: datetime) -> None:
        if not sources:
            return
        rows = _arrow([{**asdict(s), "updated_at": now} for s in sources])  # noqa: F841
        with self._connect() as con:
            con.execute("INSERT OR REPLACE INTO sources BY NAME SELECT * FROM rows")

    def record_run(self, run: dict, stages: Sequence[dict]) -> None:
        """Keep a run's summary for ``ops.pipeline_runs``; a retried run id replaces its own row."""
        run_table = _arrow([run])  # noqa: F841
        stage_table = _arrow(list(stages)) if stages else None  # noqa: F841
        with self._connect() as con:
            con.begin()
            con.execute("INSERT OR REPLACE INTO pipeline_runs SELECT * FROM run_table")
            if stages:
                con.execute("INSERT OR IGNORE INTO stage_metrics SELECT * FROM stage_table")
            con.commit()

    def known_pages(self, source_id: str) -> dict[str, tuple[datetime, str | None]]:
        """Every URI seen for a source with its latest sighting time and that page's HTTP headers
        (for revisit decisions and conditional GET)."""
        with self._connect() as con:
            rows = con.execute(
                """
                SELECT s.uri, max(s.seen_at), arg_max(p.http_headers, s.seen_at)
                FROM page_sightings s JOIN pages p USING (page_id)
                WHERE s.source_id = ?
                GROUP BY s.uri
                """,
                [source_id],
            ).fetchall()
        return {uri: (seen_at, headers) for uri, seen_at, headers in rows}


def _keep_views_current(con: duckdb.DuckDBPyConnection) -> None:
    """Give each of ``VIEWS`` this version's definition where the store holds another.

    Created ``IF NOT EXISTS``, a view kept the definition of the version that first opened the
    store. Each view's comment holds the digest of the definition it was made from, so an open
    whose views are current writes nothing (replaced on every open, the view added a catalog change
    to the store's log each time). A kill between the two statements leaves a view without its
    comment, which the next open makes again."""
    comments = dict(
        con.execute(
            "SELECT view_name, comment FROM duckdb_views() "
            "WHERE database_name = current_database() AND schema_name = 'main'"
        ).fetchall()
    )
    for name, query in VIEWS.items():
        digest = sha256_hex(query.encode())
        if comments.get(name) != digest:
            con.execute(f"CREATE OR REPLACE VIEW {name} AS {query}")
            con.execute(f"COMMENT ON VIEW {name} IS '{digest}'")


def _move_content_to_parts(con: duckdb.DuckDBPyConnection) -> None:
    """Upgrade a raw store written before page_parts, whose pages held their bytes and text.

    Each page gets page_seq (its rowid, by which earlier builds read the pages in order) and
    byte_size, and its content goes to page_parts, ``MIGRATION_PAGES`` pages per transaction: a
    kill leaves every page either moved or as it was, and the next start goes on from there. Only
    when all are moved are the two columns dropped."""
    columns = {
        column
        for (column,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND table_name = 'pages'"
        ).fetchall()
    }
    if "raw_bytes" not in columns:
        return
    if "page_seq" not in columns:
        con.execute("ALTER TABLE pages ADD COLUMN page_seq BIGINT")
        con.execute("ALTER TABLE pages ADD COLUMN byte_size BIGINT")
    # Pages move in rowid order, so the first page not moved is where a stopped upgrade resumes;
    # each step reads a range of rowids, which DuckDB applies inside the scan.
    first, last = con.execute("SELECT min(rowid) FILTER (page_seq IS NULL), max(rowid) FROM pages").fetchone()
    for low in range(first, last + 1, MIGRATION_PAGES) if first is not None else ():
        high = low + MIGRATION_PAGES - 1
        con.begin()
        rows = con.execute(
            "SELECT rowid, page_id, raw_bytes, text FROM pages WHERE rowid BETWEEN ? AND ? AND page_seq IS NULL",
            [low, high],
        ).fetchall()
        pages = [_Content(page_id, raw, text) for _, page_id, raw, text in rows]
        parts = _page_parts(pages, [rowid for rowid, *_ in rows])  # noqa: F841 (read by DuckDB)
        con.execute("INSERT INTO page_parts BY NAME SELECT * FROM parts")
        con.execute(
            "UPDATE pages SET page_seq = rowid, byte_size = octet_length(raw_bytes) "
            "WHERE rowid BETWEEN ? AND ? AND page_seq IS NULL",
            [low, high],
        )
        con.commit()
    con.begin()
    con.execute("ALTER TABLE pages DROP COLUMN raw_bytes")
    con.execute("ALTER TABLE pages DROP COLUMN text")
    con.execute("ALTER TABLE pages ALTER COLUMN page_seq SET NOT NULL")
    con.execute("ALTER TABLE pages ALTER COLUMN byte_size SET NOT NULL")
    con.commit()
    con.execute("CHECKPOINT")


@dataclass(frozen=True)
class _Content:
    """What ``_page_parts`` reads of a page, for pages read back from a store being upgraded."""

    page_id: str
    raw_bytes: bytes
    text: str


def _arrow(rows: list[dict], shape: type | None = None) -> pa.Table:
    if not rows and shape is not None:
        return pa.table({f.name: [] for f in fields(shape)})
    return pa.Table.from_pylist(rows)


def _parts_by_size(pages: Sequence[RawPage]) -> Iterator[list[RawPage]]:
    """Consecutive pages, in lists of at most ``APPEND_BYTES`` (a larger page alone)."""
    part: list[RawPage] = []
    size = 0
    for page in pages:
        page_size = len(page.raw_bytes) + len(page.text.encode())
        if part and size + page_size > APPEND_BYTES:
            yield part
            part, size = [], 0
        part.append(page)
        size += page_size
    if part:
        yield part


def _insert_pages(con: duckdb.DuckDBPyConnection, pages: Sequence[RawPage]) -> int:
    """The new pages with their parts, and where each page was seen; returns how many were new.

    A page is new when its page_id is neither stored nor earlier in ``pages``; the new ones get the
    next page_seq numbers, in their order (``_append_lock`` keeps them the last until this commits)."""
    given = _arrow([{"page_id": p.page_id} for p in pages])  # noqa: F841 (read by DuckDB)
    stored = {
        page_id
        for (page_id,) in con.execute("SELECT page_id FROM pages SEMI JOIN given USING (page_id)").fetchall()
    }
    (next_seq,) = con.execute("SELECT coalesce(max(page_seq) + 1, 0) FROM pages").fetchone()
    new: list[RawPage] = []
    for page in pages:
        if page.page_id not in stored:
            stored.add(page.page_id)
            new.append(page)
    if new:
        seqs = range(next_seq, next_seq + len(new))
        rows = _arrow(  # noqa: F841
            [
                {
                    **{f.name: getattr(page, f.name) for f in fields(RawPage) if f.name not in _CONTENT},
                    "page_seq": seq,
                    "byte_size": len(page.raw_bytes),
                }
                for page, seq in zip(new, seqs, strict=True)
            ]
        )
        con.execute("INSERT INTO pages BY NAME SELECT * FROM rows")
        parts = _page_parts(new, seqs)  # noqa: F841
        con.execute("INSERT INTO page_parts BY NAME SELECT * FROM parts")
    sightings = _arrow(  # noqa: F841
        [
            {
                "sighting_id": sha256_hex(f"{p.page_id}\x1f{p.source_id}\x1f{p.uri}".encode()),
                "page_id": p.page_id,
                "source_id": p.source_id,
                "uri": p.uri,
                "seen_at": p.fetched_at,
                "run_id": p.run_id,
            }
            for p in pages
        ]
    )
    con.execute("INSERT OR IGNORE INTO page_sightings SELECT * FROM sightings")
    return len(new)


# RawPage's fields stored in page_parts rather than in pages.
_CONTENT = ("raw_bytes", "text")


def _page_parts(pages: Sequence[RawPage | _Content], seqs: Iterable[int]) -> pa.Table:
    """Each page's bytes and text cut into the same number of consecutive parts (``PART_BYTES``)."""
    page_ids: list[str] = []
    page_seqs: list[int] = []
    numbers: list[int] = []
    raw_parts: list[bytes] = []
    text_parts: list[str] = []
    for page, seq in zip(pages, seqs, strict=True):
        raw, text = page.raw_bytes, page.text
        count = max(1, -(-len(raw) // PART_BYTES), -(-len(text.encode()) // PART_BYTES))
        raw_step, text_step = -(-len(raw) // count), -(-len(text) // count)
        for number in range(count):
            page_ids.append(page.page_id)
            page_seqs.append(seq)
            numbers.append(number)
            raw_parts.append(raw[number * raw_step : (number + 1) * raw_step])
            text_parts.append(text[number * text_step : (number + 1) * text_step])
    return pa.table(
        {
            "page_id": pa.array(page_ids, pa.string()),
            "page_seq": pa.array(page_seqs, pa.int64()),
            "part": pa.array(numbers, pa.int32()),
            "raw_bytes": pa.array(raw_parts, pa.binary()),
            "text": pa.array(text_parts, pa.string()),
        }
    )


def _insert_rejects(con: duckdb.DuckDBPyConnection, rejects: Sequence[Reject]) -> int:
    reject_rows = _arrow(  # noqa: F841 (read by DuckDB)
        [
            {
                "reject_id": r.reject_id,
                "uri": r.uri,
                "source_id": r.source_id,
                "reason": r.reason,
                "detail": r.detail,
                "seen_at": r.seen_at,
                "run_id": r.run_id,
            }
            for r in rejects
        ]
    )
    return con.execute("INSERT OR IGNORE INTO rejects SELECT * FROM reject_rows").fetchone()[0]
