"""The process environment rnw sets before DuckDB loads (rnw.env)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Writes a table about five times DuckDB's memory limit, then reports the resident memory left.
_WRITE_THROUGH_SMALL_POOL = """
import json, sys
import rnw  # sets the environment, as every rnw entry point does before DuckDB loads
import duckdb

def resident_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024

con = duckdb.connect(sys.argv[1], config={"memory_limit": "64MB", "threads": 2})
con.execute(
    "create table t as select range as id, md5(range::varchar) || repeat('页', 300) as s from range(300000)"
)
con.execute("checkpoint")
print(json.dumps({"resident_mb": resident_mb()}))
"""


def _resident_after_write(tmp_path: Path, name: str, env: dict[str, str]) -> int:
    result = subprocess.run(
        [sys.executable, "-c", _WRITE_THROUGH_SMALL_POOL, str(tmp_path / f"{name}.duckdb")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(result.stdout)["resident_mb"]


def test_duckdb_gives_freed_pages_back_at_once(tmp_path: Path) -> None:
    """With rnw's allocator setting a write through a 64 MB pool leaves the process near the pool's
    size; with jemalloc's defaults (an explicit empty setting, which rnw keeps) it keeps pages that
    DuckDB has already freed, 230-255 MB here against 68-70."""
    env = {k: v for k, v in os.environ.items() if k != "DUCKDB_JE_MALLOC_CONF"}
    ours = _resident_after_write(tmp_path, "ours", env)
    defaults = _resident_after_write(tmp_path, "defaults", {**env, "DUCKDB_JE_MALLOC_CONF": ""})
    assert ours < 150 < defaults, (ours, defaults)
