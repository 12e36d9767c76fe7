"""Bulk builds run in a process of their own, loaded with DuckDB's bulk allocator setting (rnw.build).

The scripts run in new interpreters without ``DUCKDB_JE_MALLOC_CONF``, as a scheduled run starts:
the setting a process's DuckDB loads with cannot be changed afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rnw.env import ALLOCATOR_BULK, ALLOCATOR_STEADY, ALLOCATOR_VARIABLE
from rnw.settings import (
    EMPTY_CACHE_VARIABLE,
    MEMORY_LIMIT_VARIABLE,
    OUTPUT_WRITE_CAP_VARIABLE,
    REPO_ROOT,
    THREADS_VARIABLE,
    WORKERS_VARIABLE,
    Settings,
)

PAGES = sorted((Path(__file__).parent / "fixtures" / "extraction" / "pages").glob("*.html"))

# Ingests each group of pages and builds after each; prints, per build, its success, allocator,
# dbt threads and DuckDB threads when the build chose them, dbt invocations, DuckDB's memory cap in
# dbt's profile per invocation, whether the models emptied DuckDB's cache between parts, the cap
# for writing enrichment output, the worker pool's size for the models (unset: every core), the
# cap's, the threads', the emptying's and the output cap's environment variables after the build
# (the steady cap again; no threads, no emptying, no output cap), and how many statements so far set DuckDB's threads to 1 (dbt's debug log
# of every statement).
_BUILDS = """
import json, os, sys
from pathlib import Path

def main():
    from rnw.build import run_dbt
    from rnw.ingest import ingest_sources
    from rnw.rawstore import RawStore
    from rnw.settings import Settings

    settings = Settings(home=Path(sys.argv[1]), bulk_build_pages=int(sys.argv[2]), dbt_log_level_file="debug")
    store = RawStore(settings.raw_db)
    seen = []
    for paths in json.loads(sys.argv[3]):
        with store.session():
            ingest_sources(store, {"files": [Path(p) for p in paths]}, run_id="bulk-test")
        summary = run_dbt(settings, "build", ["--quiet"])
        seen.append([
            summary.success, summary.allocator, summary.threads, summary.duckdb_threads, summary.invocations,
            summary.memory_limits, summary.empties_cache_between_parts, summary.output_write_memory_limit,
            summary.workers, summary.how_it_ran(),
            os.environ.get("RNW_DUCKDB_MEMORY_LIMIT"),
            os.environ.get("RNW_DUCKDB_THREADS"), os.environ.get("RNW_DUCKDB_EMPTY_CACHE_BETWEEN_PARTS"),
            os.environ.get("RNW_DUCKDB_OUTPUT_WRITE_CAP"),
            (settings.home_dir / "logs" / "dbt.log").read_text().count("set threads = 1"),
        ])
    print(json.dumps(seen))

if __name__ == "__main__":
    main()
"""


def _script(tmp_path: Path, home: Path, threshold: int, groups: list[list[Path]]) -> list[str]:
    script = tmp_path / "builds.py"
    script.write_text(_BUILDS)
    return [
        sys.executable,
        str(script),
        str(home),
        str(threshold),
        json.dumps([[str(p) for p in g] for g in groups]),
    ]


def _env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            ALLOCATOR_VARIABLE,
            MEMORY_LIMIT_VARIABLE,
            THREADS_VARIABLE,
            EMPTY_CACHE_VARIABLE,
            OUTPUT_WRITE_CAP_VARIABLE,
            WORKERS_VARIABLE,
            "RNW_STEADY_BUILD_WORKERS",
        }
    }
    env["PYTHONPATH"] = str(REPO_ROOT)
    return env


def test_a_build_from_nothing_and_a_large_increment_are_bulk_a_small_one_is_not(tmp_path: Path) -> None:
    groups = [PAGES[:2], PAGES[2:3], PAGES[3:5]]
    result = subprocess.run(
        _script(tmp_path, tmp_path / "home", 2, groups),
        env={**_env(), "RNW_STEADY_BUILD_WORKERS": "1"},
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
    )
    builds = json.loads(result.stdout.strip().splitlines()[-1])
    steady, bulk, output = (
        Settings.model_fields[f].default
        for f in ("duckdb_memory_limit", "bulk_duckdb_memory_limit", "bulk_output_duckdb_memory_limit")
    )
    assert len({steady, bulk, output}) == 3
    # Every invocation runs DuckDB on one thread (on-run-start: set_duckdb_threads); a bulk build
    # runs one node at a time, so its models empty DuckDB's cache between parts and its enrichment
    # models' output is written under the output cap; a steady one runs its models on a pool of
    # steady_build_workers (here 1: in the dbt process).
    # The run summary says so in one line.
    said_bulk = (
        f"bulk build in 2 dbt invocations; 1 dbt thread; DuckDB capped at {bulk}, {bulk}; its cache"
        f" emptied between parts; enrichment output written under {output}; models on one worker process"
        " per core"
    )
    said_steady = f"steady build in 1 dbt invocation; DuckDB capped at {steady}; models in the dbt process"
    bulk_build = [
        True,
        ALLOCATOR_BULK,
        1,
        1,
        2,
        [bulk, bulk],
        True,
        output,
        None,
        said_bulk,
        steady,
        None,
        None,
        None,
    ]
    steady_build = [
        True,
        ALLOCATOR_STEADY,
        None,
        1,
        1,
        [steady],
        False,
        None,
        1,
        said_steady,
        steady,
        None,
        None,
        None,
    ]
    assert builds == [[*bulk_build, 2], [*steady_build, 3], [*bulk_build, 5]]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == pid and b"rnw.build" in cmdline:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_run_takes_its_bulk_build_with_it_and_the_next_build_succeeds(tmp_path: Path) -> None:
    home = tmp_path / "home"
    runner = subprocess.Popen(
        _script(tmp_path, home, 2, [PAGES[:3]]), env=_env(), cwd=REPO_ROOT, stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while not (children := _children(runner.pid)):
            assert runner.poll() is None and time.monotonic() < deadline, "no bulk build process started"
            time.sleep(0.05)
        time.sleep(2)  # well into the build
        runner.send_signal(signal.SIGKILL)
        runner.wait()
        deadline = time.monotonic() + 10
        while _alive(children[0]):
            assert time.monotonic() < deadline, "the bulk build outlived its run"
            time.sleep(0.05)
    finally:
        runner.kill()
    again = subprocess.run(
        _script(tmp_path, home, 2, [PAGES[3:4]]),
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
    )
    # A build killed before it finished left no layout marker: the next one is a bulk build again.
    assert [build[:5] for build in json.loads(again.stdout.strip().splitlines()[-1])] == [
        [True, ALLOCATOR_BULK, 1, 1, 2]
    ]


def test_a_bulk_builds_two_stages_select_every_node_once_inputs_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``dbt ls`` with each stage's arguments, against the real project: together they list what
    a build lists, each node once; the first holds staging and the pages-to-articles models with
    only the tests that read nothing else; built reference nodes are in neither."""
    from dbt.cli.main import dbtRunner

    from rnw.build import _parse, _project_args, _seeds_digest, bulk_stages, reference_nodes
    from rnw.settings import Settings

    settings = Settings(home=tmp_path / "home")
    monkeypatch.setenv("RNW_HOME", str(settings.home_dir))
    manifest = _parse(settings, ["build"])

    def listed(*selection: str) -> set[str]:
        args = ["ls", *_project_args(settings), "--output", "json", "--output-keys", "unique_id", "--quiet"]
        result = dbtRunner(manifest=manifest).invoke([*args, *selection])
        assert result.success, result.exception
        found = {json.loads(line)["unique_id"] for line in result.result}
        return {u for u in found if u in manifest.nodes}  # not the sources, which a build reads

    everything = listed()
    one, two = (listed(*stage) for stage in bulk_stages(manifest, []))
    assert not one & two and one | two == everything
    models = {u: node.fqn for u, node in manifest.nodes.items() if u.startswith("model.")}
    assert {u for u in one if u.startswith("model.")} == {
        u for u, fqn in models.items() if fqn[1] == "staging" or fqn[1:3] == ["intermediate", "articles"]
    }
    for unique_id in one:
        inputs = getattr(manifest.nodes[unique_id].depends_on, "nodes", [])  # a seed's lists macros only
        assert set(inputs) <= one | set(manifest.sources), unique_id
    assert any(u.startswith("test.") for u in one) and any(u.startswith("test.") for u in two)

    reference = reference_nodes(manifest, _seeds_digest(settings))
    skipped = {u for u, node in manifest.nodes.items() if node.name in reference.names}
    one, two = (listed(*stage) for stage in bulk_stages(manifest, reference.selectors))
    assert not one & two and one | two == everything - skipped


def test_a_build_file_left_unfinished_by_a_kill_is_made_again(tmp_path: Path) -> None:
    """A run killed just as DuckDB created build.duckdb leaves a file shorter than its headers (0
    bytes, or part of them), which DuckDB refuses to open: the next build starts it again instead
    of failing."""
    from rnw.build import run_dbt
    from rnw.ingest import ingest_paths
    from rnw.rawstore import RawStore
    from rnw.settings import Settings

    settings = Settings(home=tmp_path / "var")
    settings.export_env()
    settings.home_dir.mkdir(parents=True, exist_ok=True)
    pages = sorted((REPO_ROOT / "examples" / "pages").glob("*"))[:2]
    ingest_paths(RawStore(settings.raw_db), pages, source_id="local", run_id="test")
    settings.build_db.touch()
    settings.marts_db.write_bytes(b"\0" * 5000)
    summary = run_dbt(settings, "build", ["--quiet"])
    assert summary.success, summary.failures
    assert settings.build_db.stat().st_size > 0
