"""DuckDB's memory cap as the tests read and compare it."""

from __future__ import annotations

import duckdb


def memory_cap(con: duckdb.DuckDBPyConnection) -> str:
    """The cap in force on ``con``, as DuckDB prints it (``SET memory_limit = '96MB'`` reads back
    as '91.5 MiB'): compare it with ``shown_cap``, never with the string that set it."""
    return con.sql("SELECT current_setting('memory_limit')").fetchone()[0]


def shown_cap(setting: str) -> str:
    """How DuckDB prints a cap set to ``setting``."""
    with duckdb.connect(config={"memory_limit": setting}) as con:
        return memory_cap(con)
