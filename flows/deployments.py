"""The deployments ``rnw serve`` serves: the nightly schedule, backfills and ingests on demand."""

from __future__ import annotations

from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows.backfill import backfill
from flows.ingest import ingest_files
from flows.nightly import nightly

NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Asia/Shanghai"


def deployments() -> list[RunnerDeployment]:
    """At most one run of each at a time: the flows hold a run lock anyway, and a schedule duplicated
    after a server upgrade (prefect#17281) then waits instead of failing."""
    return [
        nightly.to_deployment(
            name="nightly",
            schedule=Cron(NIGHTLY_CRON, timezone=TIMEZONE),
            concurrency_limit=1,
            description="Read every enabled source, build the marts, publish the warehouse.",
        ),
        backfill.to_deployment(
            name="backfill",
            concurrency_limit=1,
            description="Fetch archive pages in a date window (start_date, end_date, sources), rebuild.",
        ),
        ingest_files.to_deployment(
            name="ingest", concurrency_limit=1, description="Stage local files or WARC archives (paths)."
        ),
    ]
