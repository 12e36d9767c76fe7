"""Publish the built schemas to ``warehouse.duckdb`` atomically.

Analysts keep the warehouse open in their own tools; DuckDB would refuse dbt its build file if
they held that one. So dbt builds ``build.duckdb`` and this step makes a new file and renames it
over the old one: readers keep the old inode until they reconnect, never block the nightly run,
and never see half a build.

The marts are built in a file of their own (``build_marts.duckdb``, attached to the build), so the
new file starts as a copy of it: a nightly that changed 1% of the articles no longer rewrites and
recompresses every table (19.4 s of a 100k-page nightly). The staging tables are kept in that file
too, brought up to date before the copy (``refresh_staging``), and the run history is added to the
copy; the incremental marts' ledger (what each consumed) is dropped from it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import duckdb

from rnw.incremental import pending_parts
from rnw.settings import Settings

STAGING_SCHEMA = "staging"
# Bookkeeping of the incremental marts (what each one consumed) and of the staging tables (the view
# each was made from), not for analysts.
LEDGER_SCHEMA = "ledger"
STAGING_DEFINITIONS = "staging_definitions"
# Staging views left in build.duckdb: the decoded text of every page ever fetched is most of the
# data and no analyst reads it (articles' bodies are in marts.dim_articles; the pages stay in
# raw.duckdb). Copying it made each publish cost in proportion to the whole archive, not to the marts.
UNPUBLISHED_VIEWS = frozenset({"stg_raw__page_parts"})
# Columns left in build.duckdb: a page's page_seq is the build's means of reading the pages in
# parts, not a fact about a page.
UNPUBLISHED_COLUMNS = {"stg_raw__pages": ("page_seq",)}
# Staging tables whose row for a key never changes (the raw store is append-only and content-
# addressed), by key: a publish appends the new keys only. Rewriting them whole cost 2.4 s of a
# 100k-page nightly (reading every page's raw bytes to measure them, then compressing 200k rows),
# in proportion to the archive rather than to the new pages. Other staging tables (sources, whose
# rows the registry updates) are made anew each time; they are small.
APPEND_ONLY = {
    "stg_raw__pages": "page_id",
    "stg_raw__page_sightings": "sighting_id",
    "stg_raw__rejects": "reject_id",
}


def _connect(path: Path, settings: Settings) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), config={"memory_limit": settings.duckdb_memory_limit})
    con.execute("SET enable_progress_bar = false")  # it would print into the run's log on long statements
    return con


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish(
    settings: Settings,
    run: dict | None = None,
    stages: list[dict] | None = None,
    *,
    rebuild_staging: bool = False,
) -> dict[str, int]:
    """Bring the staging tables up to date, copy the marts file, add the run history (``ops``) with
    the current run's row to the copy and rename it over the warehouse; returns row counts per
    table. ``rebuild_staging`` (a full refresh) makes every staging table anew."""
    target = settings.warehouse_db
    for leftover in target.parent.glob(f"{target.name}.tmp-*"):
        leftover.unlink()  # a publish killed before its rename; the caller holds the run lock
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    refresh_staging(settings, rebuild=rebuild_staging)  # its close folds the write-ahead log into the file
    shutil.copyfile(settings.marts_db, tmp)
    con = _connect(tmp, settings)
    try:
        con.execute(f"ATTACH {_literal(str(settings.raw_db))} AS raw (READ_ONLY)")
        db = _quote(con.execute("SELECT current_database()").fetchone()[0])
        con.execute(f"DROP SCHEMA IF EXISTS {db}.{_quote(LEDGER_SCHEMA)} CASCADE")
        counts: dict[str, int] = {}
        for schema, name in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall():
            counts[f"{schema}.{name}"] = con.execute(
                f"SELECT count(*) FROM {db}.{_quote(schema)}.{_quote(name)}"
            ).fetchone()[0]
        counts.update(_copy_ops(con, db, run, stages or []))
        con.execute("DETACH raw")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    _fsync(tmp)
    os.replace(tmp, target)
    _fsync(target.parent)
    return dict(sorted(counts.items()))


def refresh_staging(settings: Settings, *, rebuild: bool = False) -> None:
    """The staging views of ``build.duckdb`` (over raw.duckdb) as tables of the marts file, with
    their descriptions: append-only ones get the rows of new keys, the others are made anew.

    A table is also made anew when its view's definition changed since it was made (recorded in the
    ledger), so a new column or a changed expression never leaves old rows computed the old way; a
    table whose view is gone is dropped.
    Each table is changed in one transaction: a kill leaves it as it was or up to date, and the next
    publish finishes the job.
    """
    con = _connect(settings.marts_db, settings)
    try:
        con.execute(f"ATTACH {_literal(str(settings.raw_db))} AS raw (READ_ONLY)")
        con.execute(f"ATTACH {_literal(str(settings.build_db))} AS build (READ_ONLY)")
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(STAGING_SCHEMA)}")
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(LEDGER_SCHEMA)}")
        definitions = f"{_quote(LEDGER_SCHEMA)}.{_quote(STAGING_DEFINITIONS)}"
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {definitions} (table_name VARCHAR PRIMARY KEY, definition VARCHAR)"
        )
        views = con.execute(
            """
            SELECT view_name, comment, sql FROM duckdb_views()
            WHERE database_name = 'build' AND schema_name = ? AND NOT internal
            ORDER BY 1
            """,
            [STAGING_SCHEMA],
        ).fetchall()
        views = [view for view in views if view[0] not in UNPUBLISHED_VIEWS]
        made = dict(con.execute(f"SELECT table_name, definition FROM {definitions}").fetchall())
        for (gone,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = ? AND table_name NOT IN ?",
            [STAGING_SCHEMA, [name for name, _, _ in views]],
        ).fetchall():  # a staging model renamed or removed
            con.execute(f"DROP TABLE {_quote(STAGING_SCHEMA)}.{_quote(gone)}")
        for name, comment, sql in views:
            dropped = UNPUBLISHED_COLUMNS.get(name, ())
            definition = hashlib.sha256(f"{sql}\x1f{dropped}".encode()).hexdigest()
            qualified = f"{_quote(STAGING_SCHEMA)}.{_quote(name)}"
            columns = f"* EXCLUDE ({', '.join(map(_quote, dropped))})" if dropped else "*"
            source = con.sql(f"SELECT {columns} FROM build.{qualified}")
            key = APPEND_ONLY.get(name)
            con.begin()
            if rebuild or key is None or made.get(name) != definition:
                con.execute(f"CREATE OR REPLACE TABLE {qualified} AS {source.sql_query()}")
                if comment:
                    con.execute(f"COMMENT ON TABLE {qualified} IS {_literal(comment)}")
                _copy_column_comments(con, name, dropped)
                con.execute(f"INSERT OR REPLACE INTO {definitions} VALUES (?, ?)", [name, definition])
            else:
                for new in pending_parts(source, _quote(key), f"SELECT {_quote(key)} FROM {qualified}"):
                    con.execute(f"INSERT INTO {qualified} {new.sql_query()}")
            con.commit()
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _copy_ops(
    con: duckdb.DuckDBPyConnection, db: str, run: dict | None, stages: list[dict]
) -> dict[str, int]:
    """Run history from the raw store, with this run's own row, which the raw store gets only after
    the publish succeeded."""
    import pyarrow as pa

    con.execute(f"CREATE SCHEMA {db}.ops")
    counts = {}
    for table, rows, key in (
        ("pipeline_runs", [run] if run else [], "run_id"),
        ("stage_metrics", stages, "run_id"),
    ):
        con.execute(f"CREATE TABLE {db}.ops.{table} AS SELECT * FROM raw.main.{table}")
        if rows:
            current = pa.Table.from_pylist(rows)  # noqa: F841 (read by DuckDB)
            con.execute(f"DELETE FROM {db}.ops.{table} WHERE {key} IN (SELECT {key} FROM current)")
            con.execute(f"INSERT INTO {db}.ops.{table} BY NAME SELECT * FROM current")
        counts[f"ops.{table}"] = con.execute(f"SELECT count(*) FROM {db}.ops.{table}").fetchone()[0]
    return counts


def _copy_column_comments(con: duckdb.DuckDBPyConnection, name: str, dropped: tuple[str, ...]) -> None:
    """Keep dbt's column descriptions (persist_docs) so analysts see them in any SQL client."""
    rows = con.execute(
        "SELECT column_name, comment FROM duckdb_columns() "
        "WHERE database_name = 'build' AND schema_name = ? AND table_name = ? AND comment IS NOT NULL",
        [STAGING_SCHEMA, name],
    ).fetchall()
    for column, comment in rows:
        if column in dropped:
            continue
        con.execute(
            f"COMMENT ON COLUMN {_quote(STAGING_SCHEMA)}.{_quote(name)}.{_quote(column)} IS {_literal(comment)}"
        )


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
