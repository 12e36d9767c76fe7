"""Run ids and the markdown artifact every flow publishes."""

from __future__ import annotations

import uuid

from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

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
