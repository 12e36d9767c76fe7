"""The ``rnw`` command line: ingest, build, run, query.

Expected failures (a missing path, a bad sources.yml, a failed build, bad SQL) end with one line
on stderr and exit code 1; tracebacks are for bugs.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from rnw import env as _env
from rnw.progress import terminal_progress
from rnw.settings import get_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Regional News Warehouse.")
err = Console(stderr=True)
out = Console()
# Wide enough that a table measured against it is never squeezed (rnw.cli._print_rows).
UNBOUNDED = 1_000_000


class ExpectedError(Exception):
    """Raised by commands for failures the user can fix; printed as one line."""


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def _expected_errors() -> tuple[type[BaseException], ...]:
    import duckdb

    from rnw.build import BuildError
    from rnw.ingest import IngestError
    from rnw.runlock import RunLockedError
    from scrapers.registry import RegistryError

    return (
        ExpectedError,
        IngestError,
        RegistryError,
        BuildError,
        RunLockedError,
        duckdb.Error,
        FileNotFoundError,
    )


def _run(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except _expected_errors() as exc:
        _fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


@contextmanager
def _locked(flow: str) -> Iterator[None]:
    """Take the run lock before Prefect starts, so a second run fails at once with who holds it."""
    from rnw.runlock import RunLockedError, run_lock

    try:
        with run_lock(get_settings().home_dir, flow):
            yield
    except RunLockedError as exc:
        _fail(str(exc))


def _bulk_build_ahead(full_refresh: bool = False) -> None:
    """A command about to build from nothing or in full (``rnw.build.is_bulk``) knows it before
    DuckDB loads: it loads DuckDB with the bulk allocator and builds in this process. Left to find
    out later, the build would run in a process of its own beside this one, which held 209 MB
    (PSS) through a 100k-page first load's build."""
    if get_settings().builds_everything(full_refresh):
        _env.use_bulk_allocator()


@app.callback()
def main(
    home: Annotated[
        Path | None, typer.Option("--home", envvar="RNW_HOME", help="State folder (raw, build, warehouse).")
    ] = None,
) -> None:
    get_settings(home)


@app.command()
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders (.txt, .html, .htm, .warc, .warc.gz).")
    ],
    source: Annotated[str, typer.Option(help="Source id to record the pages under.")] = "local-files",
) -> None:
    """Stage local files or web archives (WARC) in the raw store (any encoding; bad files and records are quarantined)."""
    from flows.ingest import ingest_files
    from rnw.ingest import must_exist

    _run(lambda: [must_exist(path) for path in paths])  # a missing path fails here, before Prefect starts
    with _locked("ingest_files"), terminal_progress():
        summary = _run(ingest_files, [str(p) for p in paths], source)
    out.print(
        f"files {summary.files_read}: {summary.pages_new} new, {summary.pages_seen} already seen, "
        f"{summary.rejects_new} rejected"
    )


@app.command()
def scrape(
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Source id (repeatable); default all enabled.")
    ] = None,
    since: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Oldest publication date wanted.")
    ] = None,
    until: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Newest publication date wanted.")
    ] = None,
) -> None:
    """Fetch new pages from the configured web sources (politely) into the raw store."""
    from flows.scrape import scrape as scrape_flow
    from scrapers.registry import load_registry

    registry = _run(load_registry, get_settings().sources)
    for source_id in source or []:
        _run(registry.get, source_id)
    with _locked("scrape"), terminal_progress():
        summary = _run(scrape_flow, source, since.date() if since else None, until.date() if until else None)
    out.print(summary.to_markdown())


@app.command()
def build(full_refresh: Annotated[bool, typer.Option("--full-refresh")] = False) -> None:
    """dbt build into build.duckdb, then publish warehouse.duckdb."""
    _bulk_build_ahead(full_refresh)
    from flows.build import build_warehouse

    with _locked("build_warehouse"), terminal_progress():
        summary = _run(build_warehouse, full_refresh)
    out.print(summary.to_markdown())


@app.command()
def run() -> None:
    """The main job (the nightly flow): read configured sources, build, publish."""
    _bulk_build_ahead()
    from flows.nightly import nightly
    from scrapers.registry import load_registry

    _run(load_registry, get_settings().sources)  # a bad sources.yml fails here, before Prefect starts
    with _locked("nightly"), terminal_progress():
        summary = _run(nightly)
    out.print(summary.to_markdown())


@app.command()
def query(
    sql: Annotated[
        str | None, typer.Argument(help="SQL against the published warehouse (schemas staging, marts, ops).")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Read the SQL from a file (e.g. queries/*.sql).")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """Query the published warehouse read-only."""
    if format not in {"table", "csv", "json"}:
        _fail(f"unknown format {format!r} (table, csv, json)")
    if (sql is None) == (file is None):
        _fail("give the SQL either as an argument or with --file")
    if file is not None:
        sql = _run(file.read_text, encoding="utf-8")
    columns, rows = _run(_query, sql)
    if format == "json":
        sys.stdout.write(
            json.dumps([dict(zip(columns, r, strict=True)) for r in rows], ensure_ascii=False, default=str)
        )
        sys.stdout.write("\n")
    elif format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
    else:
        _print_rows(columns, rows)


@app.command()
def backfill(
    start: Annotated[
        datetime, typer.Option(formats=["%Y-%m-%d"], help="First publication date of the window.")
    ],
    end: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="Last publication date of the window.")],
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Source id (repeatable); default all.")
    ] = None,
) -> None:
    """Fetch archive pages in a date window and rebuild: through the `backfill` deployment when a Prefect
    server runs (PREFECT_API_URL), otherwise here and now."""
    from scrapers.registry import load_registry

    if end < start:
        _fail(f"--end {end:%Y-%m-%d} is before --start {start:%Y-%m-%d}")
    registry = _run(load_registry, get_settings().sources)
    for source_id in source or []:
        _run(registry.get, source_id)
    parameters = {"start_date": start.date(), "end_date": end.date(), "sources": source}
    from rnw.prefect_server import api_url, server_is_up

    url = api_url()
    if url and server_is_up(url):
        from prefect.deployments import run_deployment

        flow_run = _run(run_deployment, "backfill/backfill", parameters=parameters, timeout=0)
        out.print(f"triggered backfill flow run {flow_run.id} ({flow_run.name}) on {url}")
        return
    _bulk_build_ahead()
    from flows.backfill import backfill as backfill_flow

    with _locked("backfill"), terminal_progress():
        summary = _run(backfill_flow, **parameters)
    out.print(summary.to_markdown())


@app.command()
def serve() -> None:
    """Serve the deployments: `nightly` (02:00 Asia/Shanghai), `backfill`, `ingest`. Starts a local Prefect
    server first when PREFECT_API_URL is not set (schedules need a server). Runs until interrupted."""
    from prefect import serve as prefect_serve
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.deployments import deployments
    from rnw.prefect_server import api_url, start_server

    server, url = None, api_url()
    if url is None:
        out.print("starting a local Prefect server ...")
        server, url = _run(start_server, get_settings().home_dir / "prefect-server")
        out.print(f"Prefect server at {url} (UI off; API only)")
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            prefect_serve(*deployments())
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


@app.command()
def report(
    out_path: Annotated[
        Path | None, typer.Option("--out", help="HTML file (default $RNW_HOME/report.html).")
    ] = None,
) -> None:
    """Write a static HTML report (charts, run summary) of the published warehouse; opens offline."""
    from rnw.report import write_report

    settings = get_settings()
    out.print(str(_run(write_report, settings.warehouse_db, out_path or settings.home_dir / "report.html")))


@app.command()
def docs(
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder (default $RNW_HOME/docs).")] = None,
) -> None:
    """Generate the dbt docs site (models, column descriptions, lineage) as files that open offline."""
    from rnw.docs import build_docs

    out.print(f"open {_run(build_docs, get_settings(), out_dir)}")


@app.command()
def status(limit: Annotated[int, typer.Option(help="How many runs.")] = 10) -> None:
    """The last pipeline runs (from the published warehouse's ops.pipeline_runs)."""
    columns, rows = _run(
        _query,
        "SELECT run_id[:8] AS run, flow, status, strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started, "
        "round(epoch(finished_at - started_at), 1) AS seconds, pages_new, pages_rejected AS rejected, "
        "articles, articles_new, duplicates_folded AS folded, indicators, dbt_tests_failed AS tests_failed, "
        f"coalesce(error, '') AS error FROM ops.pipeline_runs ORDER BY started_at DESC LIMIT {int(limit)}",
    )
    _print_rows(columns, rows, title="pipeline runs")


def _print_rows(columns: list[str], rows: list[tuple], title: str | None = None) -> None:
    """Rows as a table, or, when the table is wider than the terminal, one block per row with a
    line per column (psql's ``\\x auto``): squeezed into 80 columns, the 13 columns of ``status``
    were cut to two letters each and no run's flow or status could be read."""
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    table = Table(*columns, title=title)
    for row in cells:
        table.add_row(*row)
    if not cells or Measurement.get(out, out.options.update(max_width=UNBOUNDED), table).maximum <= out.width:
        out.print(table)
        return
    if title:
        out.print(title, style="bold")
    for number, row in enumerate(cells, start=1):
        block = Table.grid(padding=(0, 1))
        block.add_column(style="bold", no_wrap=True)
        block.add_column(overflow="fold")
        for name, value in zip(columns, row, strict=True):
            block.add_row(name, value)
        out.rule(f"row {number}", align="left")
        out.print(block)


def _query(sql: str) -> tuple[list[str], list[tuple]]:
    import duckdb

    warehouse = get_settings().warehouse_db
    if not warehouse.exists():
        raise ExpectedError(f"no warehouse at {warehouse}: run `rnw run` first")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        return columns, cursor.fetchall()
    finally:
        con.close()


if __name__ == "__main__":
    app()
