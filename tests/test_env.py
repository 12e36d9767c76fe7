"""The process environment rnw sets before DuckDB loads (rnw.env)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rnw.env import DEFAULTS

# Records DuckDB's allocator setting at the moment DuckDB is first imported, then imports an entry point.
_ENTRY_POINT_LOADS_DUCKDB = """
import importlib, importlib.abc, json, os, sys

seen = {}

class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "duckdb" and "duckdb" not in seen:
            seen["duckdb"] = os.environ.get("DUCKDB_JE_MALLOC_CONF")
        return None

sys.meta_path.insert(0, Watch())
importlib.import_module(sys.argv[1])
import duckdb  # an entry point that never loads DuckDB itself loads it here, as a build would
print(json.dumps(seen))
"""


@pytest.mark.parametrize("entry_point", ["rnw.cli", "flows.nightly", "rnw.build"])
def test_entry_points_configure_duckdbs_allocator_before_it_loads(entry_point: str) -> None:
    """jemalloc reads its setting once, when DuckDB loads: set later it does nothing. At 100k pages
    the default (freed pages kept ten seconds) held some 400 MB more in the dbt process."""
    env = {k: v for k, v in os.environ.items() if k != "DUCKDB_JE_MALLOC_CONF"}
    result = subprocess.run(
        [sys.executable, "-c", _ENTRY_POINT_LOADS_DUCKDB, entry_point],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"duckdb": DEFAULTS["DUCKDB_JE_MALLOC_CONF"]}
