"""Flow ``build_warehouse``: dbt build into build.duckdb, then publish to warehouse.duckdb."""

from __future__ import annotations

from prefect import flow

from flows.common import current_run_id, publish_summary
from flows.tasks import dbt_build_task, publish_task
from rnw.build import BuildError
from rnw.settings import Settings, get_settings
from rnw.summary import RunSummary


@flow(name="build_warehouse")
def build_warehouse(full_refresh: bool = False) -> RunSummary:
    settings = get_settings()
    summary = RunSummary(run_id=current_run_id(), flow="build_warehouse")
    build_and_publish(settings, summary, full_refresh)
    publish_summary(summary)
    return summary


def build_and_publish(settings: Settings, summary: RunSummary, full_refresh: bool = False) -> None:
    """Build, and publish only a build whose models all succeeded: analysts keep the last good one."""
    summary.dbt = dbt_build_task(settings, full_refresh)
    if summary.dbt.failures:
        publish_summary(summary)
        raise BuildError("dbt build failed: " + "; ".join(f.splitlines()[0] for f in summary.dbt.failures))
    publish_task(settings)
    summary.read_warehouse(settings.warehouse_db)
