"""The worker pool behind the dbt Python models: same rows, same order as in-process, errors surface."""

from __future__ import annotations

import pyarrow as pa
import pytest

from rnw import enrich
from rnw.parallel import map_batches
from scrapers.textdump import split_text_dump



@pytest.fixture()
def articles(sample_text: str) -> pa.Table:
    bodies = [a.body_text for a in split_text_dump(sample_text)]
    rows = [
        {
            "article_id": f"a{i:03d}",
            "title": f"t{i}",
            "body_text": bodies[i % len(bodies)][: 200 + 37 * i],
            "published_at": None,
            "source_region_code": None,
        }
        for i in range(40)
    ]
    return pa.Table.from_pylist(rows)


def _run(monkeypatch: pytest.MonkeyPatch, table: pa.Table, workers: int, min_rows: int) -> list[dict]:
    monkeypatch.setenv("RNW_WORKERS", str(workers))
    monkeypatch.setenv("RNW_PARALLEL_MIN_ROWS", str(min_rows))
    reader = map_batches(enrich.regions, table.to_batches(max_chunksize=7), enrich.REGIONS_SCHEMA, task_rows=3)
    return reader.read_all().to_pylist()


def test_pool_gives_the_rows_of_an_in_process_run_in_input_order(
    monkeypatch: pytest.MonkeyPatch, articles: pa.Table
) -> None:
    serial = _run(monkeypatch, articles, workers=1, min_rows=1)
    pooled = _run(monkeypatch, articles, workers=2, min_rows=1)
    assert [r["article_id"] for r in pooled] == [f"a{i:03d}" for i in range(40)]
    assert pooled == serial
    assert any(r["mentions"] for r in pooled), "the sample names regions: an empty result proves nothing"


def test_small_input_stays_in_process(monkeypatch: pytest.MonkeyPatch, articles: pa.Table) -> None:
    import rnw.parallel

    monkeypatch.setattr(rnw.parallel, "_shared_pool", lambda workers: pytest.fail("pool started"))
    assert len(_run(monkeypatch, articles, workers=2, min_rows=1000)) == 40


def test_worker_error_reaches_the_caller(monkeypatch: pytest.MonkeyPatch, articles: pa.Table) -> None:
    broken = articles.drop_columns(["body_text"])  # enrich.regions needs it: KeyError in the worker
    with pytest.raises(KeyError, match="body_text"):
        _run(monkeypatch, broken, workers=2, min_rows=1)
