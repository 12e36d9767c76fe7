"""What an incremental dbt Python model still has to process, read without scanning the whole text.

A model's input is a large table of text (raw pages, article bodies) and a nightly needs about 1% of
its rows. Filtering with ``key NOT IN (done)`` makes DuckDB read every row's text before it can drop
the row. Looking up the pending keys first (the key column only) and filtering on that short list
lets DuckDB look the rows up in the raw store's primary-key index: 1,000 new pages of 100,000 came
out in 0.34 s instead of 3.07 s.

A table without an index is another matter: DuckDB 1.5 applies a list of several keys after the
scan, which then reads the text of every row (0.35 s for 6 bodies of 100,000, as for 1,000), while a
``rowid`` range is applied inside the scan. ``rows_by_key`` looks up the rowids of the keys first
and reads the rows within a few ranges around them (0.015 s for 1,000 bodies added last). The
dbt macro ``rows_by_key`` does the same for SQL models.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from rnw.settings import EMPTY_CACHE_VARIABLE, MEMORY_LIMIT_VARIABLE

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

# Above this many pending keys (a new extractor or enricher version redoes everything) the whole
# table is read anyway, and a long literal list would only cost parsing.
MAX_LISTED_KEYS = 20_000
# A key list that one filter may hold. DuckDB 1.5 looks listed keys up in a table's primary-key index
# only for up to 2,048 of them (its index_scan_max_count, or 0.1% of the rows if more); a longer
# list makes it scan the whole table, reading every column the query asks for. Appending 2,049 new
# pages' rows (their bytes measured) to a 100k-page staging table that way ran out of the 160 MB
# cap at once; in parts of this many, 6,000 took 0.16 s (bench/RESULTS.md, thirty-fifth session).
KEYS_PER_FILTER = 1_000
# Up to this many pending keys' rows are read into memory at once (bodies are about 7 KB of text
# each); more stream through the plain filter, which reads every row's text once anyway.
READ_AT_ONCE = 5_000
# Rowids closer than this (a few of DuckDB's 2,048-row vectors) are read as one range, and a lookup
# reads at most MOST_RANGES ranges (the closest are joined first).
RANGE_GAP = 8_192
MOST_RANGES = 64
# A relation that dbt-duckdb hands a Python model for ``dbt.ref``: all of one table.
_WHOLE_TABLE = re.compile(r"SELECT \* FROM ((?:\w+\.){0,2}\w+)")


def pending(relation: duckdb.DuckDBPyRelation, key: str, done: str) -> duckdb.DuckDBPyRelation:
    """``relation`` without the rows whose ``key`` the SQL query ``done`` returns."""
    keys = pending_keys(relation, key, done)
    if keys is None:
        return relation.filter(f"{key} NOT IN ({done})")
    if not keys:
        return relation.filter("false")
    return relation.filter(f"{key} IN ({_listed(keys)})")


def pending_parts(
    relation: duckdb.DuckDBPyRelation, key: str, done: str, keys_per_part: int = KEYS_PER_FILTER
) -> Iterator[duckdb.DuckDBPyRelation]:
    """``pending`` as relations of at most ``keys_per_part`` listed keys each, for a statement that
    reads wide rows of the keys (``KEYS_PER_FILTER``); the keys are looked up when the first part
    is asked for."""
    keys = pending_keys(relation, key, done)
    if keys is None:
        yield relation.filter(f"{key} NOT IN ({done})")
        return
    for start in range(0, len(keys), keys_per_part):
        yield relation.filter(f"{key} IN ({_listed(keys[start : start + keys_per_part])})")


def pending_keys(relation: duckdb.DuckDBPyRelation, key: str, done: str) -> list[str] | None:
    """The keys of ``relation`` that the SQL query ``done`` does not return (key column only);
    None when there are more than MAX_LISTED_KEYS."""
    keys = relation.project(key).filter(f"{key} NOT IN ({done})").distinct().fetchall()
    return None if len(keys) > MAX_LISTED_KEYS else [k for (k,) in keys]


def _listed(keys: Sequence[str]) -> str:
    return ", ".join("'" + str(k).replace("'", "''") + "'" for k in keys)


def pending_rows(
    session: duckdb.DuckDBPyConnection,
    relation: duckdb.DuckDBPyRelation,
    key: str,
    done: str,
    columns: str,
    rowid: str = "rowid",
) -> duckdb.DuckDBPyRelation:
    """``SELECT columns`` over the rows of ``relation`` whose ``key`` the SQL query ``done`` does not
    return: ``pending`` for a model that reads few rows of a large table of text (read at once by
    ``rows_by_key`` up to READ_AT_ONCE keys, streamed above)."""
    keys = pending_keys(relation, key, done)
    if keys is None or len(keys) > READ_AT_ONCE:
        return relation.filter(f"{key} NOT IN ({done})").project(columns)
    return session.from_arrow(rows_by_key(session, relation, key, keys, columns, rowid))


def rows_by_key(
    session: duckdb.DuckDBPyConnection,
    relation: duckdb.DuckDBPyRelation,
    key: str,
    keys: Sequence[str],
    columns: str,
    rowid: str = "rowid",
) -> pa.Table:
    """``SELECT columns`` (a select list, ``DISTINCT ON`` allowed) over the rows of ``relation``
    whose ``key`` is one of ``keys``.

    When ``relation`` is a whole table (or a view over one that exposes the table's rowid as the
    column ``rowid``), the rowids of those keys are looked up first (the key column only) and the
    rows read within ranges around them; both queries run in one transaction of a connection of
    their own, so a checkpoint cannot renumber the rows in between. Anything else is filtered on
    the key list alone.
    """
    listed = _listed(keys) if keys else "NULL"
    table = whole_table(relation)
    if table is None:
        matched = relation.filter(f"{key} IN ({listed})")
        return matched.query("matched", f"SELECT {columns} FROM matched").to_arrow_table()
    cursor = session.cursor()
    try:
        cursor.begin()
        found = cursor.sql(f"SELECT {rowid} FROM {table} WHERE {key} IN ({listed})").fetchall()
        spans = rowid_ranges([r for (r,) in found])
        within = " OR ".join(f"{rowid} BETWEEN {a} AND {b}" for a, b in spans) or "false"
        if 2 * sum(b - a + 1 for a, b in spans) > cursor.sql(f"SELECT count(*) FROM {table}").fetchone()[0]:
            within = "true"  # keys all over the table (a full build's chunk): one plain scan is cheaper
        rows = cursor.sql(
            f"SELECT {columns} FROM {table} WHERE ({within}) AND {key} IN ({listed})"
        ).to_arrow_table()
        cursor.commit()
        return rows
    finally:
        cursor.close()


def whole_table(relation: duckdb.DuckDBPyRelation) -> str | None:
    """The table's name when ``relation`` is all of one table, as dbt-duckdb's ``dbt.ref`` is."""
    match = _WHOLE_TABLE.fullmatch(relation.sql_query().strip())
    return match[1] if match else None


def rowid_ranges(rowids: list[int], gap: int = RANGE_GAP, most: int = MOST_RANGES) -> list[tuple[int, int]]:
    """Inclusive ranges that cover ``rowids``: neighbours closer than ``gap`` share a range, and
    the closest ranges are joined until at most ``most`` are left."""
    ordered = sorted(set(rowids))
    if not ordered:
        return []
    gaps = sorted(b - a for a, b in itertools.pairwise(ordered))
    if len(gaps) >= most:  # join every gap up to the one that leaves ``most`` ranges
        gap = max(gap, gaps[len(gaps) - most] + 1)
    ranges = [[ordered[0], ordered[0]]]
    for rowid in ordered[1:]:
        if rowid - ranges[-1][1] < gap:
            ranges[-1][1] = rowid
        else:
            ranges.append([rowid, rowid])
    return [(a, b) for a, b in ranges]


def in_rowid_ranges(
    session: duckdb.DuckDBPyConnection,
    relation: duckdb.DuckDBPyRelation,
    rowid: str,
    rows: int,
    *,
    size: tuple[str, int] | None = None,
) -> Iterator[duckdb.DuckDBPyRelation]:
    """``relation`` in parts of at most ``rows`` rows, each a range of the column ``rowid`` (the
    rowid of the table it reads, or a column in that table's order such as the raw store's
    page_seq, whose range DuckDB applies inside the scan).

    For a join of a large table of text with another: joined whole, DuckDB builds its hash table
    on whichever side it estimates smaller, and under DuckDB's memory cap (160 MB) ran out of memory
    with it (``int_article_indicators`` at 100k pages, bench/RESULTS.md); a part's hash table is
    bounded by ``rows``, whatever the archive's size. The parts are read in one transaction of
    ``session`` (the connection ``relation`` runs on), so that no checkpoint renumbers the rows
    between two of them; the caller reads each part before asking for the next. The parts' bounds
    come from DuckDB, not from a list of every rowid in Python. In a build that runs one node at a
    time, DuckDB's cache is emptied before each part (``empty_cache_when_alone``).

    With ``size`` (a column and a total), a part also ends once its rows' sizes reach the total
    (they pass it by the last row's at most): for a query whose memory follows the bytes it reads
    rather than its rows.
    """
    part = f"(row_number() OVER (ORDER BY {rowid}) - 1) // {rows}"
    if size:
        column, most = size
        part += f" + (sum({column}) OVER (ORDER BY {rowid}) - {column}) // {most}"
    session.begin()
    try:
        bounds = relation.query(
            "parted",
            f"""
            SELECT min({rowid}), max({rowid})
            FROM (SELECT {rowid}, {part} AS part FROM parted)
            GROUP BY part ORDER BY part
            """,
        ).fetchall()
        for low, high in bounds:
            empty_cache_when_alone(session)
            yield relation.filter(f"{rowid} BETWEEN {low} AND {high}")
    except BaseException:
        session.rollback()
        raise
    session.commit()


# DuckDB's memory cap for the moment of emptying its cache: every block not in use is evicted.
_EMPTYING_CAP = "1MB"


def empty_cache_when_alone(session: duckdb.DuckDBPyConnection) -> None:
    """Evict DuckDB's cache of table blocks when the dbt invocation runs this node alone
    (``EMPTY_CACHE_VARIABLE``, with the cap in ``MEMORY_LIMIT_VARIABLE``).

    Reading a large table in parts, DuckDB keeps the blocks each part read until its cache reaches
    the memory cap, though no later part reads them again. 10k bench pages' bodies fit under a
    96 MB cap, 100k pages' fill it: reading the canonical bodies in parts took a process to 150
    MiB at 10k and 182-191 at 100k, and with the cache emptied between parts to 118 and 124
    (bench/RESULTS.md, twenty-sixth session). DuckDB has no statement that empties its cache;
    lowering the cap evicts every block not in use (one that holds data in no file goes to the
    temporary directory), and the cap is set back at once, to the string the profile set.
    """
    cap = os.environ.get(MEMORY_LIMIT_VARIABLE)
    if os.environ.get(EMPTY_CACHE_VARIABLE) != "1" or not cap:
        return
    empty_cache(session, cap)


def empty_cache(session: duckdb.DuckDBPyConnection, cap: str) -> None:
    """Evict every block of DuckDB's cache not in use, then set the cap back to ``cap``."""
    import duckdb

    try:
        # DuckDB cannot evict blocks in use: it raises, yet keeps the lower cap (DuckDB 1.5.6).
        with contextlib.suppress(duckdb.OutOfMemoryException):
            set_memory_cap(session, _EMPTYING_CAP)
    finally:
        set_memory_cap(session, cap)


def set_memory_cap(session: duckdb.DuckDBPyConnection, cap: str) -> None:
    """Set DuckDB's memory cap, global to the database, on a cursor of its own: the session's own
    cursor may be in the middle of reading a model's input."""
    cursor = session.cursor()
    try:
        cursor.execute(f"SET memory_limit = '{cap}'")
    finally:
        cursor.close()


def batches_in_rowid_ranges(
    session: duckdb.DuckDBPyConnection,
    relation: duckdb.DuckDBPyRelation,
    rowid: str,
    rows: int,
    batch_rows: int,
) -> Iterator[pa.RecordBatch]:
    """The rows of ``relation`` without its column ``rowid``, in batches of ``batch_rows``, read
    ``rows`` rows per query (``in_rowid_ranges``).

    For a model that streams a large table of text to the worker pool: a DuckDB scan of long text
    holds native memory outside its buffer cache until the query ends, and it grew with the rows
    read. One query over the canonical bodies of 100k bench pages took a process from 30 to 293
    MiB, queries of 5,000 rows to 168 MiB, as one query over 10k pages' bodies did (160 MiB;
    bench/RESULTS.md, twenty-fifth session).
    """
    for part in in_rowid_ranges(session, relation, rowid, rows):
        yield from part.project(f"* EXCLUDE ({rowid})").to_arrow_reader(batch_rows)
