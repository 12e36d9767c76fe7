"""DuckDB files a kill left before DuckDB finished creating them are made again (rnw.dbfiles)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from rnw.dbfiles import HEADER_BYTES, discard_unfinished
from rnw.ingest import ingest_paths
from rnw.rawstore import RawStore
from rnw.settings import REPO_ROOT


@pytest.mark.parametrize("size", [0, 8, 5000, HEADER_BYTES - 1])
def test_a_raw_store_left_unfinished_by_a_kill_is_made_again(tmp_path: Path, size: int) -> None:
    """CI's kill test killed `rnw run` as raw.duckdb appeared; the re-run failed to open it."""
    raw = tmp_path / "raw.duckdb"
    raw.write_bytes(b"\0" * size)
    with pytest.raises(duckdb.Error):
        duckdb.connect(str(raw)).close()
    pages = sorted((REPO_ROOT / "examples" / "pages").glob("*"))[:2]
    ingest_paths(RawStore(raw), pages, source_id="local", run_id="test")
    with duckdb.connect(str(raw), read_only=True) as con:
        assert con.execute("select count(*) from pages").fetchone()[0] == 2


def test_a_complete_file_a_log_or_a_file_another_process_holds_is_kept(tmp_path: Path) -> None:
    complete = tmp_path / "complete.duckdb"
    duckdb.connect(str(complete)).close()
    assert complete.stat().st_size == HEADER_BYTES  # an empty database: its headers only
    logged = tmp_path / "logged.duckdb"
    logged.touch()
    logged.with_name("logged.duckdb.wal").write_bytes(b"log")
    held = tmp_path / "held.duckdb"
    held.touch()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(held)], stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert [discard_unfinished(p) for p in (complete, logged, held)] == [False, False, False]
    finally:
        holder.communicate("")
    assert complete.exists() and logged.exists() and held.exists()
    assert discard_unfinished(held) and not held.exists()


# Locks the file as DuckDB does while it has it open, until its stdin closes.
HOLD = """
import fcntl, sys
with open(sys.argv[1], "rb+") as file:
    fcntl.lockf(file, fcntl.LOCK_EX)
    print("locked", flush=True)
    sys.stdin.read()
"""
