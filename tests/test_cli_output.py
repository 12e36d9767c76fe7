"""How the CLI lays out rows on terminals of any width (``rnw.cli._print_rows``)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from rnw import cli


def _printed(monkeypatch: pytest.MonkeyPatch, width: int, columns: list[str], rows: list[tuple]) -> list[str]:
    console = Console(width=width, file=io.StringIO(), color_system=None)
    monkeypatch.setattr(cli, "out", console)
    cli._print_rows(columns, rows)
    return console.file.getvalue().splitlines()


def test_a_table_that_fits_is_one_line_per_row(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _printed(monkeypatch, 40, ["flow", "status"], [("nightly", "success"), ("backfill", None)])
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in lines if line.startswith("│")]
    assert rows == [["nightly", "success"], ["backfill", ""]]


def test_rows_wider_than_the_terminal_become_blocks_with_every_value_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    columns = ["run", "flow", "status", "started"]
    rows = [
        ("70205142", "nightly", "success", "2026-12-03 10:34:37"),
        ("9a1b2c3d", "backfill", "failed", None),
    ]
    lines = _printed(monkeypatch, 30, columns, rows)
    assert all(len(line.rstrip()) <= 30 for line in lines)
    blocks: list[dict[str, str]] = []
    for line in lines:
        if line.startswith("row "):
            blocks.append({})
        elif blocks:
            name, _, value = line.partition(" ")
            blocks[-1][name] = value.strip()
    assert blocks == [
        dict(zip(columns, rows[0], strict=True)),
        {"run": "9a1b2c3d", "flow": "backfill", "status": "failed", "started": ""},
    ]


def test_no_rows_still_print_the_columns_when_the_terminal_is_narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _printed(monkeypatch, 20, ["indicator_id", "value_normalized"], [])
    assert any("┃" in line for line in lines)
