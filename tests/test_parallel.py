"""The worker pool behind the dbt Python models: same rows, same order as in-process, errors surface."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from rnw import enrich
from rnw.parallel import map_batches, spill
from rnw.settings import OUTPUT_WRITE_CAP_VARIABLE, REPO_ROOT
from scrapers.textdump import split_text_dump
from tests.duckdb_caps import memory_cap, shown_cap


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
    reader = map_batches(
        enrich.regions, table.to_batches(max_chunksize=7), enrich.REGIONS_SCHEMA, task_rows=3
    )
    return reader.read_all().to_pylist()


def test_pool_gives_the_rows_of_an_in_process_run_in_input_order(
    monkeypatch: pytest.MonkeyPatch, articles: pa.Table
) -> None:
    serial = _run(monkeypatch, articles, workers=1, min_rows=1)
    pooled = _run(monkeypatch, articles, workers=2, min_rows=1)
    assert [r["article_id"] for r in pooled] == [f"a{i:03d}" for i in range(40)]
    assert pooled == serial
    assert any(r["mentions"] for r in pooled), "the sample names regions: an empty result proves nothing"


def _small_batches(count: int, rows: int) -> pa.RecordBatchReader:
    schema = pa.schema([("n", pa.int64()), ("text", pa.string())])
    batches = (
        pa.record_batch([list(range(b * rows, (b + 1) * rows)), [f"第{b:03d}批" * 20] * rows], schema=schema)
        for b in range(count)
    )
    return pa.RecordBatchReader.from_batches(schema, batches)


@pytest.mark.parametrize("group_batches", [None, 25])
def test_spill_gathers_small_batches_into_row_groups(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, group_batches: int | None
) -> None:
    """One row group per small batch left DuckDB holding memory per row group (nineteenth session)."""
    import pyarrow.parquet as pq

    monkeypatch.setenv("RNW_HOME", str(tmp_path))
    batch_bytes = _small_batches(1, 10).read_next_batch().nbytes
    if group_batches:
        monkeypatch.setenv("RNW_SPILL_ROW_GROUP_BYTES", str(batch_bytes * group_batches))
    relation = spill(duckdb.connect(), _small_batches(300, 10))
    assert [n for (n,) in relation.project("n").fetchall()] == list(range(3000))
    (path,) = (tmp_path / "scratch").glob("*.parquet")
    groups = [
        pq.ParquetFile(path).metadata.row_group(i).num_rows
        for i in range(pq.ParquetFile(path).num_row_groups)
    ]
    assert groups == ([3000] if group_batches is None else [250] * 12)


@pytest.mark.parametrize("invocation_cap", [None, "32MB"])
def test_spill_lowers_the_cap_for_a_capped_write_in_an_invocation_that_sets_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, invocation_cap: str | None
) -> None:
    """An enrichment model's output is written under the invocation's output cap (a bulk build on
    one dbt thread sets it); the extracted pages' is not, nor anything in other invocations."""
    monkeypatch.setenv("RNW_HOME", str(tmp_path))
    if invocation_cap:
        monkeypatch.setenv(OUTPUT_WRITE_CAP_VARIABLE, invocation_cap)
    else:
        monkeypatch.delenv(OUTPUT_WRITE_CAP_VARIABLE, raising=False)
    profile = duckdb.connect(config={"memory_limit": "96MB"})
    lowered = shown_cap("32MB")
    assert memory_cap(profile) != lowered

    spill(profile, _small_batches(3, 10))
    assert memory_cap(profile) == shown_cap("96MB")
    relation = spill(profile, _small_batches(3, 10), capped_write=True)
    assert relation.count("*").fetchone() == (30,)
    assert (memory_cap(profile) == lowered) == (invocation_cap is not None)


def test_a_task_carries_its_own_rows_only() -> None:
    """pyarrow pickles a slice with its parent's buffers: a task of 100 rows cut from a batch of 500
    sent the worker all 500."""
    import pickle

    from rnw.parallel import _rebatch

    batch = pa.record_batch({"body_text": [f"{i:05d}" + "正文" * 1000 for i in range(500)]})
    tasks = list(_rebatch([batch], 100))
    assert pa.Table.from_batches(tasks).equals(pa.Table.from_batches([batch]))
    whole = len(pickle.dumps(batch))
    assert all(len(pickle.dumps(task)) < whole / 4 for task in tasks)


def test_articles_are_read_a_part_per_query(monkeypatch: pytest.MonkeyPatch) -> None:
    """A DuckDB scan of long text holds memory until its query ends: the enrichers' input is read
    in queries of at most ARTICLES_PER_READ articles, without the rowid column."""
    monkeypatch.setattr(enrich, "ARTICLES_PER_READ", 40)
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE bodies AS SELECT 'a' || i AS article_id, repeat('正', i) AS body_text FROM range(500) t(i)"
    )
    con.execute("DELETE FROM bodies WHERE article_id LIKE 'a1%'")  # gaps in the rowids
    articles = con.sql(f"SELECT *, rowid AS {enrich.ROWID} FROM bodies")
    batches = list(enrich.article_batches(con, articles))
    assert max(b.num_rows for b in batches) == 40
    assert (
        pa.Table.from_batches(batches)
        .sort_by("article_id")
        .equals(con.sql("SELECT * FROM bodies ORDER BY article_id").to_arrow_table())
    )


def _tasks_sent_to_the_pool(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the tasks handed to the pool from now on, in a list filled as they go."""
    import rnw.parallel

    sent: list[int] = []
    ordered = rnw.parallel._ordered
    monkeypatch.setattr(
        rnw.parallel,
        "_ordered",
        lambda pool, function, tasks, in_flight: ordered(
            pool, function, (sent.append(len(t)) or t for t in tasks), in_flight
        ),
    )
    return sent


def test_small_input_stays_in_process_unless_the_pool_runs(
    monkeypatch: pytest.MonkeyPatch, articles: pa.Table
) -> None:
    """Starting workers for a few rows costs more than it saves; workers already running (a build
    starts them before dbt loads) take any input, so the dbt process never loads the enrichers."""
    import rnw.parallel

    monkeypatch.setattr(rnw.parallel, "_pool", None)
    real = rnw.parallel._shared_pool
    monkeypatch.setattr(rnw.parallel, "_shared_pool", lambda workers: pytest.fail("pool started"))
    assert len(_run(monkeypatch, articles, workers=2, min_rows=1000)) == 40
    monkeypatch.setattr(rnw.parallel, "_shared_pool", real)
    rnw.parallel.start_pool(2)
    sent = _tasks_sent_to_the_pool(monkeypatch)
    assert len(_run(monkeypatch, articles, workers=2, min_rows=1000)) == 40
    assert sent, "on the running pool"


def test_worker_error_reaches_the_caller(monkeypatch: pytest.MonkeyPatch, articles: pa.Table) -> None:
    broken = articles.drop_columns(["body_text"])  # enrich.regions needs it: KeyError in the worker
    with pytest.raises(KeyError, match="body_text"):
        _run(monkeypatch, broken, workers=2, min_rows=1)


def test_ingest_on_the_pool_stages_what_in_process_ingest_stages(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from rnw.ingest import ingest_paths
    from rnw.rawstore import RawStore

    pages = REPO_ROOT / "tests" / "fixtures" / "extraction" / "pages"
    staged = {}
    for workers in (1, 2):
        monkeypatch.setenv("RNW_WORKERS", str(workers))
        monkeypatch.setenv("RNW_PARALLEL_MIN_ROWS", "2")
        monkeypatch.setenv("RNW_PARALLEL_MIN_ITEM_MS", "0")
        store = RawStore(tmp_path / f"raw-{workers}.duckdb")
        report = ingest_paths(store, [pages], source_id="files", run_id="r", batch_size=3)
        assert report.result.pages_new == report.files > 2
        with duckdb.connect(str(store.path), read_only=True) as con:
            staged[workers] = con.sql(
                "SELECT page_id, uri, detected_encoding, text FROM pages JOIN page_contents USING (page_id) ORDER BY 1"
            ).fetchall()
    assert staged[1] == staged[2]


def test_workers_leave_when_their_run_is_killed() -> None:
    """A SIGKILLed run cannot shut its pool down: the workers must notice and exit on their own."""
    script = (
        "import os, signal\n"
        "os.environ.update(RNW_WORKERS='2', RNW_PARALLEL_MIN_ROWS='1', RNW_PARALLEL_MIN_ITEM_MS='0')\n"
        "from rnw import parallel\n"
        "if __name__ == '__main__':\n"
        "    assert list(parallel.ordered_map(abs, range(-40, 0)))[0] == 40\n"
        "    print(' '.join(map(str, parallel._pool._processes)), flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], check=False, capture_output=True, text=True, cwd=REPO_ROOT
    )
    assert run.returncode == -signal.SIGKILL, run.stderr
    workers = [int(pid) for pid in run.stdout.split()]
    assert len(workers) == 2
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.2)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers), "orphaned workers still running"


def test_ingest_decodes_in_process_unless_items_are_costly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap items cost more to send back from a worker than to compute here; slow ones go out."""
    import rnw.parallel

    monkeypatch.setenv("RNW_WORKERS", "2")
    monkeypatch.setenv("RNW_PARALLEL_MIN_ROWS", "5")
    monkeypatch.setenv("RNW_PARALLEL_MIN_ITEM_MS", "1")
    started = []
    real = rnw.parallel._shared_pool
    monkeypatch.setattr(
        rnw.parallel, "_shared_pool", lambda workers: started.append(workers) or real(workers)
    )
    monkeypatch.setattr(rnw.parallel, "_pool", None)
    assert list(rnw.parallel.ordered_map(abs, range(-300, 0))) == list(range(300, 0, -1))
    assert started == []
    assert list(rnw.parallel.ordered_map(time.sleep, [0.003] * 40)) == [None] * 40
    assert started == [2]


def test_cheap_items_go_to_the_pool_once_it_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ingest starts the pool ahead of a bulk build when it has listed bulk_build_pages files: the
    rest of its files decode on the pool, in order (a 100k first load's ingest 247 s in-process,
    194 s so)."""
    import rnw.parallel

    monkeypatch.setenv("RNW_WORKERS", "2")
    monkeypatch.setenv("RNW_PARALLEL_MIN_ROWS", "5")
    monkeypatch.setenv("RNW_PARALLEL_MIN_ITEM_MS", "1")
    monkeypatch.setattr(rnw.parallel, "_pool", None)

    def items():
        for number in range(-300, 0):
            if number == -100:
                rnw.parallel.start_pool()
            yield number

    sent = _tasks_sent_to_the_pool(monkeypatch)
    assert list(rnw.parallel.ordered_map(abs, items())) == list(range(300, 0, -1))
    assert 0 < sum(sent) < 100, "after the pool started, on it"


def test_start_pool_brings_every_worker_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before any work arrives: the pool otherwise starts its workers with the first tasks."""
    import rnw.parallel

    monkeypatch.setenv("RNW_WORKERS", "2")
    monkeypatch.setattr(rnw.parallel, "_pool", None)  # a pool of its own, not an earlier test's
    rnw.parallel.start_pool()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(rnw.parallel._pool._processes) < 2:
        time.sleep(0.1)
    assert len(rnw.parallel._pool._processes) == 2


# Loaded by the fork server's preload alone: neither this module nor rnw.parallel imports them.
ARTICLES = ("datasketch", "rnw.neardup")
ENRICHERS = ("rnw.regions", "rnw.people", "rnw.indicators", "rnw.topics")


def _loaded(wanted: tuple[str, ...], timeout: float) -> tuple[list[str], int]:
    """Run in a worker: which of ``wanted`` are loaded (waiting up to ``timeout`` for all of them),
    and how many region gazetteers it has built."""

    def gazetteers() -> int:
        load = getattr(sys.modules.get("rnw.regions.matcher"), "_load", None)  # None while importing
        return load.cache_info().currsize if load else 0

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not all(m in sys.modules for m in wanted):
        time.sleep(0.05)
    return sorted(m for m in (*ARTICLES, *ENRICHERS) if m in sys.modules), gazetteers()


def _worker_state() -> tuple[list[str], int, list[str], int, int]:
    """Run in a worker: what is loaded, the region gazetteers built, warm-up threads running beside
    this task, its anonymous memory shared with other processes (kB), and its parent's pid."""
    modules, gazetteers = _loaded((), 0)
    warming = [thread.name for thread in threading.enumerate() if thread.name == "rnw-warm-up"]
    memory = dict(line.split()[:2] for line in Path("/proc/self/smaps_rollup").read_text().splitlines())
    shared_anonymous = int(memory["Anonymous:"]) - int(memory["Pss_Anon:"])
    return modules, gazetteers, warming, shared_anonymous, os.getppid()


def test_workers_are_forked_warm_sharing_what_their_server_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fork server loads the extractor, MinHash and the enrichers once; every worker forked from
    it has them before its first task, without a warm-up of its own (a warm-up thread beside a task
    broke the pool once: "'six' is not a package"), and shares their pages instead of holding a
    copy (spawned workers shared no anonymous memory). Stopping the pool stops the server, which
    alone would hold a whole copy."""
    import rnw.parallel

    monkeypatch.setenv("RNW_WORKERS", "2")
    monkeypatch.setattr(rnw.parallel, "_pool", None)
    rnw.parallel.start_pool(2)
    states = [rnw.parallel._pool.submit(_worker_state) for _ in range(4)]
    for modules, gazetteers, warming, shared_anonymous, _ in (future.result() for future in states):
        assert modules == sorted((*ARTICLES, *ENRICHERS))
        assert gazetteers == 1
        assert warming == []
        assert shared_anonymous > 20 * 1024, "the loaded data's pages stay shared with the server"
    server = states[0].result()[4]
    assert server != os.getpid() and Path(f"/proc/{server}").exists()
    rnw.parallel.stop_pool()
    assert not Path(f"/proc/{server}").exists(), "the fork server stops with its workers"
