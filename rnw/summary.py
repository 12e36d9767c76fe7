"""The run summary a person reads: what came in, what was built, what failed, how long each stage took.

The same object becomes the Prefect markdown artifact, the line in ``ops.pipeline_runs`` and the
rows of ``ops.stage_metrics``, so the three never disagree.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from rnw.build import BuildSummary
from rnw.rawstore import AppendResult

if TYPE_CHECKING:
    from rnw.scrape import ScrapeReport


@dataclass
class StageMetric:
    stage: str
    started_at: datetime
    seconds: float


@dataclass
class RunSummary:
    run_id: str
    flow: str
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    status: str = "running"
    error: str | None = None
    files_read: int = 0
    pages_fetched: int = 0
    pages_new: int = 0
    pages_seen: int = 0
    rejects_new: int = 0
    articles: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    occurrences: int = 0
    occurrences_folded: int = 0
    indicators: int = 0
    dbt: BuildSummary | None = None
    stages: list[StageMetric] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started, clock = datetime.now(UTC), time.perf_counter()
        try:
            yield
        finally:
            self.stages.append(StageMetric(name, started, round(time.perf_counter() - clock, 3)))

    def add_ingest(self, files: int, result: AppendResult) -> None:
        self.files_read += files
        self.pages_new += result.pages_new
        self.pages_seen += result.pages_seen
        self.rejects_new += result.rejects_new

    def add_scrape(self, report: ScrapeReport) -> None:
        self.pages_fetched += report.fetched
        self.pages_new += report.result.pages_new
        self.pages_seen += report.result.pages_seen
        self.rejects_new += report.result.rejects_new
        for stats in report.stats:
            if stats.failure_reasons:
                reasons = ", ".join(f"{k} {v}" for k, v in sorted(stats.failure_reasons.items()))
                self.notes.append(f"source {stats.source_id}: {stats.fetched} fetched, failures: {reasons}")

    def finish(self, status: str, error: str | None = None) -> None:
        self.status, self.error, self.finished_at = status, error, datetime.now(UTC)

    def read_build(self, marts_db: Path, previous_warehouse: Path) -> None:
        """Article counts of the new build, and what changed against the warehouse analysts have now."""
        con = duckdb.connect(str(marts_db), read_only=True)
        try:
            if previous_warehouse.exists():
                con.execute(f"ATTACH '{previous_warehouse}' AS previous (READ_ONLY)")
                old = "SELECT article_id, occurrence_count FROM previous.marts.dim_articles"
            else:
                old = "SELECT NULL::varchar AS article_id, NULL::integer AS occurrence_count WHERE false"
            row = con.execute(
                f"""
                WITH old AS ({old}), new AS (SELECT article_id, occurrence_count FROM marts.dim_articles)
                SELECT
                    (SELECT count(*) FROM new),
                    (SELECT count(*) FROM new ANTI JOIN old USING (article_id)),
                    (SELECT count(*) FROM new JOIN old USING (article_id) WHERE new.occurrence_count <> old.occurrence_count),
                    (SELECT count(*) FROM marts.fct_article_occurrences),
                    (SELECT count(*) FROM marts.fct_indicator_observations)
                """
            ).fetchone()
        finally:
            con.close()
        self.articles, self.articles_new, self.articles_updated, self.occurrences, self.indicators = row
        self.occurrences_folded = self.occurrences - self.articles

    def run_row(self) -> dict:
        dbt = self.dbt or BuildSummary(success=False)
        return {
            "run_id": self.run_id,
            "flow": self.flow,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "status": self.status,
            "error": self.error,
            "files_read": self.files_read,
            "pages_fetched": self.pages_fetched,
            "pages_new": self.pages_new,
            "pages_already_seen": self.pages_seen,
            "pages_rejected": self.rejects_new,
            "articles": self.articles,
            "articles_new": self.articles_new,
            "articles_updated": self.articles_updated,
            "duplicates_folded": self.occurrences_folded,
            "indicators": self.indicators,
            "dbt_tests_passed": dbt.tests_passed,
            "dbt_tests_failed": dbt.tests_failed,
            "dbt_tests_warned": dbt.tests_warned,
        }

    def stage_rows(self) -> list[dict]:
        return [
            {"run_id": self.run_id, "stage": s.stage, "started_at": s.started_at, "seconds": s.seconds}
            for s in self.stages
        ]

    def to_markdown(self) -> str:
        dbt = self.dbt
        lines = [
            f"# {self.flow} run `{self.run_id}`: {self.status}",
            "",
            "| stage | measure | value |",
            "|---|---|---|",
            f"| ingest | files read | {self.files_read} |",
            f"| scrape | pages fetched | {self.pages_fetched} |",
            f"| ingest | pages new | {self.pages_new} |",
            f"| ingest | pages already seen | {self.pages_seen} |",
            f"| ingest | rejected (new) | {self.rejects_new} |",
            f"| warehouse | articles | {self.articles} |",
            f"| warehouse | articles new | {self.articles_new} |",
            f"| warehouse | articles updated | {self.articles_updated} |",
            f"| warehouse | occurrences | {self.occurrences} |",
            f"| warehouse | occurrences folded into existing articles | {self.occurrences_folded} |",
            f"| warehouse | indicator observations | {self.indicators} |",
        ]
        if dbt is not None:
            lines += [
                f"| dbt | models built | {dbt.models} |",
                f"| dbt | tests passed | {dbt.tests_passed} |",
                f"| dbt | tests failed | {dbt.tests_failed} |",
                f"| dbt | tests warned | {dbt.tests_warned} |",
            ]
        lines += [f"| time | {s.stage} (s) | {s.seconds:.1f} |" for s in self.stages]
        lines.append("")
        if dbt is not None:
            lines.append(f"- dbt ran as a {dbt.how_it_ran()}")
            lines += [f"- dbt failure: {f.splitlines()[0]}" for f in dbt.failures]
            lines += [f"- dbt warning: {w}" for w in dbt.warnings]
        if self.error:
            lines.append(f"- error: {self.error}")
        lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"
