"""Flow ``ingest_files``: stage local files (backfills, ad-hoc folders, WARC archives) in the raw store."""

from __future__ import annotations

from prefect import flow

from flows.common import pipeline_run
from flows.tasks import ingest_task, register_sources_task
from rnw.rawstore import SourceRow
from rnw.settings import get_settings
from rnw.summary import RunSummary

ADHOC_SOURCE = SourceRow("local-files", "Local files (ad-hoc ingest)", "files", None, None)


@flow(name="ingest_files")
def ingest_files(paths: list[str], source_id: str = ADHOC_SOURCE.source_id) -> RunSummary:
    settings = get_settings()
    with pipeline_run(settings, "ingest_files") as summary:
        if source_id == ADHOC_SOURCE.source_id:
            register_sources_task(settings, [ADHOC_SOURCE])
        with summary.stage("ingest"):
            report = ingest_task(settings, {source_id: paths}, summary.run_id)
        summary.add_ingest(report.files, report.result)
    return summary
