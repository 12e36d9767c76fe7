"""The run summary a person reads: what came in, what was built, what failed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from rnw.build import BuildSummary
from rnw.rawstore import AppendResult


@dataclass
class RunSummary:
    run_id: str
    flow: str
    files_read: int = 0
    pages_fetched: int = 0
    pages_new: int = 0
    pages_seen: int = 0
    rejects_new: int = 0
    articles: int = 0
    occurrences: int = 0
    occurrences_folded: int = 0
    pages_without_article: int = 0
    dbt: BuildSummary | None = None
    notes: list[str] = field(default_factory=list)

    def add_ingest(self, files: int, result: AppendResult) -> None:
        self.files_read += files
        self.pages_new += result.pages_new
        self.pages_seen += result.pages_seen
        self.rejects_new += result.rejects_new

    def add_scrape(self, report) -> None:  # report: rnw.scrape.ScrapeReport
        self.pages_fetched += report.fetched
        self.pages_new += report.result.pages_new
        self.pages_seen += report.result.pages_seen
        self.rejects_new += report.result.rejects_new
        for stats in report.stats:
            if stats.failure_reasons:
                reasons = ", ".join(f"{k} {v}" for k, v in sorted(stats.failure_reasons.items()))
                self.notes.append(f"source {stats.source_id}: {stats.fetched} fetched, failures: {reasons}")

    def read_warehouse(self, warehouse: Path) -> None:
        """Article counts as published, read back from the file analysts will query."""
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            self.articles, self.occurrences = con.execute(
                "SELECT (SELECT count(*) FROM marts.dim_articles), (SELECT count(*) FROM marts.fct_article_occurrences)"
            ).fetchone()
        finally:
            con.close()
        self.occurrences_folded = self.occurrences - self.articles

    def to_markdown(self) -> str:
        dbt = self.dbt
        lines = [
            f"# {self.flow} run `{self.run_id}`",
            "",
            "| stage | measure | value |",
            "|---|---|---|",
            f"| ingest | files read | {self.files_read} |",
            f"| scrape | pages fetched | {self.pages_fetched} |",
            f"| ingest | pages new | {self.pages_new} |",
            f"| ingest | pages already seen | {self.pages_seen} |",
            f"| ingest | rejected (new) | {self.rejects_new} |",
            f"| warehouse | articles | {self.articles} |",
            f"| warehouse | occurrences | {self.occurrences} |",
            f"| warehouse | occurrences folded into existing articles | {self.occurrences_folded} |",
        ]
        if dbt is not None:
            lines += [
                f"| dbt | models built | {dbt.models} |",
                f"| dbt | tests passed | {dbt.tests_passed} |",
                f"| dbt | tests failed | {dbt.tests_failed} |",
                f"| dbt | tests warned | {dbt.tests_warned} |",
            ]
            lines += ["", *(f"- dbt failure: {f.splitlines()[0]}" for f in dbt.failures)]
        lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"

    def as_dict(self) -> dict:
        return asdict(self)
