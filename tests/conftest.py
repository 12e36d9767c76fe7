"""Shared fixtures. The Prefect test harness costs ~20 s, so one serves the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import rnw  # noqa: F401  (telemetry off before Prefect is imported)

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "spine" / "sample.txt"


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=None):
        yield


@pytest.fixture(scope="session")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def examples_warehouse(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Path:
    """RNW_HOME of a warehouse built once by `rnw run` from the bundled examples (read it, don't write)."""
    from typer.testing import CliRunner

    from rnw.cli import app

    home = tmp_path_factory.mktemp("examples") / "var"
    result = CliRunner().invoke(app, ["--home", str(home), "run"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return home


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `prefect server start` on loopback (schedules and deployments need one); yields its API URL."""
    from rnw.prefect_server import start_server

    process, url = start_server(tmp_path_factory.mktemp("prefect-server"))
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
