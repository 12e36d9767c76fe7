"""What every writing flow shares: its run id, the run lock, the run record and the summary artifact."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from rnw.rawstore import RawStore
from rnw.runlock import run_lock
from rnw.settings import Settings
from rnw.summary import RunSummary


def current_run_id() -> str:
    """The Prefect flow-run id, so raw rows point back at the run that wrote them."""
    return str(flow_run.id or uuid.uuid4())


def publish_summary(summary: RunSummary) -> None:
    create_markdown_artifact(
        key=f"{summary.flow.replace('_', '-')}-summary",
        markdown=summary.to_markdown(),
        description=f"{summary.flow} run summary",
    )


@contextmanager
def pipeline_run(settings: Settings, flow: str) -> Iterator[RunSummary]:
    """Hold the run lock for the flow's whole body; record and publish the summary however it ends.

    A successful run's record reaches the raw store after its publish (which already shows it in
    ``ops``); a failed run's record is written at once and shows in the next publish.
    """
    with run_lock(settings.home_dir, flow) as note:
        summary = RunSummary(run_id=current_run_id(), flow=flow)
        if note:
            summary.notes.append(note)
        try:
            yield summary
        except BaseException as exc:
            summary.finish("failed", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            RawStore(settings.raw_db).record_run(summary.run_row(), summary.stage_rows())
            publish_summary(summary)
            raise
        if summary.status == "running":
            summary.finish("success")
        RawStore(settings.raw_db).record_run(summary.run_row(), summary.stage_rows())
        publish_summary(summary)
