"""The process environment rnw sets before DuckDB loads (rnw.env)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rnw.env import ALLOCATOR_BULK, ALLOCATOR_STEADY, ALLOCATOR_VARIABLE, DEFAULTS

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
    """jemalloc reads its setting once, when DuckDB loads: set later it does nothing, and the
    process would run with DuckDB's own default (which held some 400 MB more in a 100k build)
    instead of rnw's steady setting. rnw.build loads DuckDB itself (through rnw.parallel)."""
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


# Prints DuckDB's allocator setting when the CLI first imports DuckDB, and stops there.
_CLI_LOADS_DUCKDB = """
import importlib.abc, json, os, sys

class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "duckdb":
            print(json.dumps(os.environ.get("DUCKDB_JE_MALLOC_CONF")), flush=True)
            os._exit(0)
        return None

sys.meta_path.insert(0, Watch())
from rnw.cli import app
app(sys.argv[1:])
"""


@pytest.mark.parametrize(
    ("args", "built", "operator", "expected"),
    [
        (["build"], False, None, ALLOCATOR_BULK),
        (["run"], False, None, ALLOCATOR_BULK),
        (["build", "--full-refresh"], True, None, ALLOCATOR_BULK),
        (["build"], True, None, ALLOCATOR_STEADY),
        (["run"], True, None, ALLOCATOR_STEADY),
        (["build"], False, "dirty_decay_ms:500", "dirty_decay_ms:500"),
    ],
)
def test_a_command_that_will_build_in_bulk_loads_duckdb_with_the_bulk_allocator(
    tmp_path: Path, args: list[str], built: bool, operator: str | None, expected: str
) -> None:
    """Known before DuckDB loads (no build file yet, or --full-refresh), a bulk build runs in the
    command's own process with the bulk setting; any other build keeps the steady one, and an
    operator's setting always wins."""
    home = tmp_path / "home"
    home.mkdir()
    if built:
        (home / "build.duckdb").touch()
    env = {k: v for k, v in os.environ.items() if k != ALLOCATOR_VARIABLE}
    if operator:
        env[ALLOCATOR_VARIABLE] = operator
    result = subprocess.run(
        [sys.executable, "-c", _CLI_LOADS_DUCKDB, "--home", str(home), *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == expected
