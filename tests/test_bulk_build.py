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

from rnw.env import ALLOCATOR_BULK, ALLOCATOR_STEADY, ALLOCATOR_VARIABLE
from rnw.settings import REPO_ROOT

PAGES = sorted((Path(__file__).parent / "fixtures" / "extraction" / "pages").glob("*.html"))

# Ingests each group of pages and builds after each; prints, per build, its success, allocator and
# dbt threads when the build chose them.
_BUILDS = """
import json, sys
from pathlib import Path

def main():
    from rnw.build import run_dbt
    from rnw.ingest import ingest_sources
    from rnw.rawstore import RawStore
    from rnw.settings import Settings

    settings = Settings(home=Path(sys.argv[1]), bulk_build_pages=int(sys.argv[2]))
    store = RawStore(settings.raw_db)
    seen = []
    for paths in json.loads(sys.argv[3]):
        with store.session():
            ingest_sources(store, {"files": [Path(p) for p in paths]}, run_id="bulk-test")
        summary = run_dbt(settings, "build", ["--quiet"])
        seen.append([summary.success, summary.allocator, summary.threads])
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
    env = {k: v for k, v in os.environ.items() if k != ALLOCATOR_VARIABLE}
    env["PYTHONPATH"] = str(REPO_ROOT)
    return env


def test_a_build_from_nothing_and_a_large_increment_are_bulk_a_small_one_is_not(tmp_path: Path) -> None:
    groups = [PAGES[:2], PAGES[2:3], PAGES[3:5]]
    result = subprocess.run(
        _script(tmp_path, tmp_path / "home", 2, groups),
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
    )
    builds = json.loads(result.stdout.strip().splitlines()[-1])
    assert builds == [
        [True, ALLOCATOR_BULK, 1],
        [True, ALLOCATOR_STEADY, None],
        [True, ALLOCATOR_BULK, 1],
    ]


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
    assert json.loads(again.stdout.strip().splitlines()[-1]) == [[True, ALLOCATOR_BULK, 1]]
