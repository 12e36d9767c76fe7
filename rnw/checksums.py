"""Row-level checksums of the published marts, to prove two runs converged to the same tables.

Columns that record *when* something was read differ between two honest runs of the same input,
so they are left out; everything else must match row for row (order does not matter).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# is_first and canonical_uri follow from the fetch times too.
VOLATILE_COLUMNS = (
    "seen_at",
    "first_seen_at",
    "fetched_at",
    "run_id",
    "updated_at",
    "is_first",
    "canonical_uri",
)


def mart_checksums(warehouse: Path, schemas: tuple[str, ...] = ("marts",)) -> dict[str, tuple[int, int]]:
    """(row count, order-independent sum of row hashes) per table."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN ? ORDER BY 1, 2",
            [list(schemas)],
        ).fetchall()
        sums = {}
        for schema, table in tables:
            columns = [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
                    [schema, table],
                ).fetchall()
                if c not in VOLATILE_COLUMNS
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            count, total = con.execute(
                f'SELECT count(*), coalesce(sum(hash(row({select})))::hugeint, 0) FROM "{schema}"."{table}"'
            ).fetchone()
            sums[f"{schema}.{table}"] = (count, int(total))
        return sums
    finally:
        con.close()
