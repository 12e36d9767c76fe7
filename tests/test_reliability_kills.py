"""Kills at random moments of `rnw run`, and two runs at once: nothing lost, the same marts.

Full suite only (`make reliability`): each kill costs a run and a re-run (about a minute on 2 cores),
and CI already kills at three fixed stages (test_operations) and checks the lock with a holder
process; these add twenty random moments and a real second run racing a real first one.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rnw.checksums import mart_checksums
from tests.test_operations import _run_cli

FULL = os.environ.get("RNW_RELIABILITY") == "full"
pytestmark = [
    pytest.mark.reliability,
    pytest.mark.slow,
    pytest.mark.skipif(
        not FULL, reason="full reliability suite only (RNW_RELIABILITY=full, make reliability)"
    ),
]
KILLS = int(os.environ.get("RNW_RELIABILITY_KILLS", "20"))
# A run on the examples takes 20-60 s on 2 cores against a running Prefect server.
LATEST_KILL_SECONDS = 45.0


def test_random_sigkills_then_rerun_converge(
    prefect_server: str, examples_warehouse: Path, tmp_path: Path
) -> None:
    expected = mart_checksums(examples_warehouse / "warehouse.duckdb")
    rng = random.Random()
    home = tmp_path / "var"
    for kill in range(KILLS):
        delay = rng.uniform(0.5, LATEST_KILL_SECONDS)
        victim = _run_cli(home, prefect_server)
        try:
            victim.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.killpg(victim.pid, signal.SIGKILL)
            victim.wait()
        assert _run_cli(home, prefect_server).wait(timeout=600) == 0, (
            f"rerun after kill {kill} at {delay:.1f} s"
        )
        assert mart_checksums(home / "warehouse.duckdb") == expected, f"kill {kill} at {delay:.1f} s"


def test_two_concurrent_runs_one_lock_error_nothing_lost(
    prefect_server: str, examples_warehouse: Path, tmp_path: Path
) -> None:
    home = tmp_path / "var"
    first = _run_cli(home, prefect_server)
    deadline = time.monotonic() + 120
    while not (home / "run.lock").exists() or not (home / "run.lock").read_text():
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.05)
    second = subprocess.run(
        [sys.executable, "-m", "rnw.cli", "run"],
        env={**os.environ, "PREFECT_API_URL": prefect_server, "RNW_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert second.returncode == 1
    assert f"another run is active (pid {first.pid}" in second.stderr
    assert first.wait(timeout=600) == 0
    assert mart_checksums(home / "warehouse.duckdb") == mart_checksums(
        examples_warehouse / "warehouse.duckdb"
    )
