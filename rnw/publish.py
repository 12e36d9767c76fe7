"""Publish the built schemas to ``warehouse.duckdb`` atomically.

Analysts keep the warehouse open in their own tools; DuckDB would refuse dbt its build file if
they held that one. So dbt builds ``build.duckdb`` and this step makes a new file and renames it
over the old one: readers keep the old inode until they reconnect, never block the nightly run,
and never see half a build.

The marts are built in a file of their own (``build_marts.duckdb``, attached to the build), so the
new file starts as a copy of it: a nightly that changed 1% of the articles no longer rewrites and
recompresses every table (19.4 s of a 100k-page nightly). The staging tables and the run history
are added to the copy, and the incremental marts' ledger (what each consumed) is dropped from it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from rnw.incremental import pending
from rnw.settings import Settings

STAGING_SCHEMA = "staging"
# Bookkeeping of the incremental marts (what each one consumed), not for analysts.
LEDGER_SCHEMA = "ledger"
# Columns left in build.duckdb: the decoded text of every page ever fetched is most of the data and
# no analyst reads it (articles' bodies are in marts.dim_articles; the pages stay in raw.duckdb).
# Copying it made each publish cost in proportion to the whole archive, not to the marts.
UNPUBLISHED_COLUMNS = {(STAGING_SCHEMA, "stg_raw__pages"): ("page_text",)}
# Staging tables whose row for a key never changes (the raw store is append-only and content-
# addressed), by key: publish carries the rows over from the warehouse it replaces and reads only new
# keys from the build. stg_raw__pages measures each page's raw bytes, so reading it whole cost 7.7 s
# of a 100k-page nightly, in proportion to the archive rather than to the new pages.
CARRIED_OVER = {(STAGING_SCHEMA, "stg_raw__pages"): "page_id"}
PREVIOUS = "previous"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish(settings: Settings, run: dict | None = None, stages: list[dict] | None = None) -> dict[str, int]:
    """Copy the marts file, then the staging views as tables and the run history (``ops``) with the
    current run's row into it; returns row counts per table."""
    target = settings.warehouse_db
    for leftover in target.parent.glob(f"{target.name}.tmp-*"):
        leftover.unlink()  # a publish killed before its rename; the caller holds the run lock
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    duckdb.connect(str(settings.marts_db)).close()  # folds a write-ahead log left by a kill into the file
    shutil.copyfile(settings.marts_db, tmp)
    con = duckdb.connect(str(tmp), config={"memory_limit": settings.duckdb_memory_limit})
    try:
        con.execute(f"ATTACH {_literal(str(settings.raw_db))} AS raw (READ_ONLY)")
        con.execute(f"ATTACH {_literal(str(settings.build_db))} AS build (READ_ONLY)")
        db = _quote(con.execute("SELECT current_database()").fetchone()[0])
        con.execute(f"DROP SCHEMA IF EXISTS {db}.{_quote(LEDGER_SCHEMA)} CASCADE")
        _copy_staging(con, db, _attach_previous(con, target))
        counts: dict[str, int] = {}
        for schema, name in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall():
            counts[f"{schema}.{name}"] = con.execute(
                f"SELECT count(*) FROM {db}.{_quote(schema)}.{_quote(name)}"
            ).fetchone()[0]
        counts.update(_copy_ops(con, db, run, stages or []))
        con.execute(f"DETACH DATABASE IF EXISTS {PREVIOUS}")
        con.execute("DETACH build")
        con.execute("DETACH raw")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    _fsync(tmp)
    os.replace(tmp, target)
    _fsync(target.parent)
    return dict(sorted(counts.items()))


def _attach_previous(con: duckdb.DuckDBPyConnection, target: Path) -> bool:
    """Attach the warehouse being replaced, read-only, when there is one that opens."""
    if not target.exists():
        return False
    try:
        con.execute(f"ATTACH {_literal(str(target))} AS {PREVIOUS} (READ_ONLY)")
    except duckdb.Error:
        return False  # damaged, or held open for writing: copy the staging tables whole
    return True


def _copy_staging(con: duckdb.DuckDBPyConnection, db: str, previous: bool) -> None:
    """The staging views (over raw.duckdb) as tables, with their descriptions."""
    relations = con.execute(
        """
        SELECT view_name, comment FROM duckdb_views()
        WHERE database_name = 'build' AND schema_name = ? AND NOT internal
        ORDER BY 1
        """,
        [STAGING_SCHEMA],
    ).fetchall()
    con.execute(f"CREATE SCHEMA {db}.{_quote(STAGING_SCHEMA)}")
    current = con.execute("SELECT current_database()").fetchone()[0]
    for name, comment in relations:
        qualified = f"{_quote(STAGING_SCHEMA)}.{_quote(name)}"
        dropped = UNPUBLISHED_COLUMNS.get((STAGING_SCHEMA, name))
        columns = f"* EXCLUDE ({', '.join(map(_quote, dropped))})" if dropped else "*"
        source = con.sql(f"SELECT {columns} FROM build.{qualified}")
        con.execute(f"CREATE TABLE {db}.{qualified} AS SELECT * FROM ({source.sql_query()}) LIMIT 0")
        key = CARRIED_OVER.get((STAGING_SCHEMA, name))
        if key and previous and _columns(con, PREVIOUS, name) == _columns(con, current, name):
            con.execute(
                f"INSERT INTO {db}.{qualified} SELECT * FROM {PREVIOUS}.{qualified} "
                f"WHERE {_quote(key)} IN (SELECT {_quote(key)} FROM build.{qualified})"
            )
            source = pending(source, _quote(key), f"SELECT {_quote(key)} FROM {PREVIOUS}.{qualified}")
        con.execute(f"INSERT INTO {db}.{qualified} {source.sql_query()}")
        if comment:
            con.execute(f"COMMENT ON TABLE {db}.{qualified} IS {_literal(comment)}")
        _copy_column_comments(con, db, STAGING_SCHEMA, name, dropped or ())


def _columns(con: duckdb.DuckDBPyConnection, database: str, name: str) -> list[tuple]:
    return con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = ? AND schema_name = ? AND table_name = ? ORDER BY column_index",
        [database, STAGING_SCHEMA, name],
    ).fetchall()


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


def _copy_column_comments(
    con: duckdb.DuckDBPyConnection, db: str, schema: str, name: str, dropped: tuple[str, ...]
) -> None:
    """Keep dbt's column descriptions (persist_docs) so analysts see them in any SQL client."""
    rows = con.execute(
        "SELECT column_name, comment FROM duckdb_columns() "
        "WHERE database_name = 'build' AND schema_name = ? AND table_name = ? AND comment IS NOT NULL",
        [schema, name],
    ).fetchall()
    for column, comment in rows:
        if column in dropped:
            continue
        con.execute(
            f"COMMENT ON COLUMN {db}.{_quote(schema)}.{_quote(name)}.{_quote(column)} IS {_literal(comment)}"
        )


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
