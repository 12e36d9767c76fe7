"""Flow ``build_warehouse``: dbt build into build.duckdb, then publish to warehouse.duckdb."""

from __future__ import annotations

from prefect import flow

from flows.common import pipeline_run
from flows.tasks import dbt_build_task, publish_task
from rnw.build import BuildError
from rnw.settings import Settings, get_settings
from rnw.summary import RunSummary


@flow(name="build_warehouse")
def build_warehouse(full_refresh: bool = False) -> RunSummary:
    settings = get_settings()
    with pipeline_run(settings, "build_warehouse") as summary:
        build_and_publish(settings, summary, full_refresh)
    return summary


def build_and_publish(settings: Settings, summary: RunSummary, full_refresh: bool = False) -> None:
    """Build, and publish only a build whose models all succeeded: analysts keep the last good one."""
    with summary.stage("dbt_build"):
        summary.dbt = dbt_build_task(settings, full_refresh)
    if summary.dbt.failures:
        raise BuildError("dbt build failed: " + "; ".join(f.splitlines()[0] for f in summary.dbt.failures))
    summary.read_build(settings.marts_db, settings.warehouse_db)
    with summary.stage("publish"):
        summary.finish("success")
        publish_task(settings, summary.run_row(), summary.stage_rows(), full_refresh)
