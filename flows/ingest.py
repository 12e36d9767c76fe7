"""Flow ``ingest_files``: stage local files (backfills, ad-hoc folders) in the raw store."""

from __future__ import annotations

from prefect import flow

from flows.common import current_run_id, publish_summary
from flows.tasks import ingest_task, register_sources_task
from rnw.rawstore import SourceRow
from rnw.settings import get_settings
from rnw.summary import RunSummary

ADHOC_SOURCE = SourceRow("local-files", "Local files (ad-hoc ingest)", "files", None, None)


@flow(name="ingest_files")
def ingest_files(paths: list[str], source_id: str = ADHOC_SOURCE.source_id) -> RunSummary:
    settings = get_settings()
    run_id = current_run_id()
    if source_id == ADHOC_SOURCE.source_id:
        register_sources_task(settings, [ADHOC_SOURCE])
    report = ingest_task(settings, paths, source_id, run_id)
    summary = RunSummary(run_id=run_id, flow="ingest_files")
    summary.add_ingest(report.files, report.result)
    publish_summary(summary)
    return summary
