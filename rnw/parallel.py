"""Run the per-page and per-article Python of ingest and of dbt's models on every core.

dbt-duckdb runs Python models in the dbt process, one GIL for all of them: extraction and
enrichment, pure Python per article, would use one core of the machine. This hands record batches
to a pool of worker processes and streams the results, in input order as they arrive, to a Parquet
file that the model returns (``spill``), so neither the input nor the output of a model is ever
held whole in memory.
Ingest decodes files on it too when decoding a file costs more than sending it back (``ordered_map``).

The pool's workers are forked from a fork server (``forkserver``, never plain ``fork``: the dbt
process holds DuckDB connections and threads, and a forked child would inherit the run lock's file
descriptor). The server is a fresh interpreter that loads and warms everything the tasks need
before it forks the first worker (``PRELOAD_MODULE``), so every worker starts warm at once and
shares those pages with the server and the other workers instead of loading a copy of its own
(``spawn`` did: two workers held about 390 MiB, a server and two workers forked from it about
250). The pool is created on first use, or ahead of a build by ``start_pool``, and kept until the
last model of the build that uses it has run (``rnw.build.PoolRelease``); stopping it stops the
server too. Small inputs (the tests' examples) run in-process unless the pool is running. As with
``spawn``, a script that calls rnw must keep its own work under ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import atexit
import itertools
import multiprocessing
import os
import select
import signal
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from typing import TypeVar

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from rnw.incremental import set_memory_cap
from rnw.settings import OUTPUT_WRITE_CAP_VARIABLE, Settings
from rnw.warmup import in_background

# The library functions take an iterable of batches (a whole model input in tests); a task is one.
BatchFunction = Callable[[Iterable[pa.RecordBatch]], pa.Table]

T = TypeVar("T")
R = TypeVar("R")
# Imported by the fork server before it forks any worker (multiprocessing's preload).
PRELOAD_MODULE = "rnw.pool_preload"
_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def worker_count(settings: Settings) -> int:
    """``RNW_WORKERS`` if set (1 turns the pool off), else every core this process may use."""
    if settings.workers:
        return max(1, settings.workers)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _shared_pool(workers: int) -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None or getattr(_pool, "_broken", False):  # a killed worker breaks a pool for good
            _pool = ProcessPoolExecutor(
                workers,
                mp_context=_fork_server(),
                initializer=_exit_with_parent,
                initargs=(os.getpid(),),
            )
            atexit.register(_pool.shutdown, wait=True, cancel_futures=True)
        return _pool


def _fork_server() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PRELOAD_MODULE])
    return context


def _stop_fork_server() -> None:
    """Stop the fork server once this pool's workers are gone: alone, it holds a whole copy of what
    it preloaded (about 190 MiB). The standard library has no public call for this. Its ``_stop``
    (the one its own tests use) waits for the server to exit, which it does only once every worker
    it ever forked has closed its end of the server's pipe, so a pool dropped without a shutdown
    would hang it: the server is sent SIGTERM first. The next pool starts a new server."""
    from multiprocessing import forkserver

    server = forkserver._forkserver
    if server._forkserver_pid is not None:
        os.kill(server._forkserver_pid, signal.SIGTERM)
    server._stop()


def spill(
    session: duckdb.DuckDBPyConnection, reader: pa.RecordBatchReader, *, capped_write: bool = False
) -> duckdb.DuckDBPyRelation:
    """Write a model's output batches to a Parquet file and return a relation over that file.

    Returning the ``RecordBatchReader`` itself would have DuckDB scan it from its own worker
    threads, calling back into Python, which in turn pulls the model's input from a DuckDB query
    on another cursor of the same database. Keeping the two apart (this thread reads the input and
    writes the file; DuckDB then reads the file) rules out any lock-order interplay between the two
    queries and still never holds the output in memory. The file lives in ``scratch_dir``, which
    each build clears before it starts.

    With ``capped_write`` (a model whose rows hold no long text), in a dbt invocation that runs one
    node at a time, DuckDB's cap is lowered to ``OUTPUT_WRITE_CAP_VARIABLE`` for dbt's write of the
    file into the model's table, which holds the table in memory up to the cap until it commits
    (bench/RESULTS.md, thirty-third session). dbt-duckdb writes a returned relation on the model's
    own cursor and sets the profile's settings, the cap among them, on the cursor of every node it
    runs next, so the lower cap ends with the model.

    Batches are gathered into row groups of about ``spill_row_group_bytes``: written one row group
    per batch (50-500 rows), a 100k-page model's file had thousands, and the DuckDB connection that
    read it into a table kept about 11 MB of native memory per model until it closed, so a build's
    process grew with the archive (bench/RESULTS.md, nineteenth session).
    """
    settings = Settings()
    settings.scratch_dir.mkdir(parents=True, exist_ok=True)
    path = settings.scratch_dir / f"{uuid.uuid4().hex}.parquet"
    with pq.ParquetWriter(path, reader.schema) as writer:
        for group in _row_groups(reader, settings.spill_row_group_bytes):
            writer.write_table(pa.Table.from_batches(group, reader.schema))
    cap = os.environ.get(OUTPUT_WRITE_CAP_VARIABLE)
    if capped_write and cap:
        set_memory_cap(session, cap)
    return session.read_parquet(str(path))


def _row_groups(batches: Iterable[pa.RecordBatch], group_bytes: int) -> Iterator[list[pa.RecordBatch]]:
    """Consecutive batches, in order, in lists of at least ``group_bytes`` (the last may hold less)."""
    group: list[pa.RecordBatch] = []
    size = 0
    for batch in batches:
        group.append(batch)
        size += batch.nbytes
        if size >= group_bytes:
            yield group
            group, size = [], 0
    if group:
        yield group


def _exit_with_parent(parent: int) -> None:
    """Worker initializer (what the tasks need, the worker has from the fork server's preload).

    A SIGKILLed run (the kill tests, an operator's kill -9) gives its workers no chance to be
    told, and they would wait on their task queue forever, so each one watches the process that
    made the pool and leaves when it is gone. Its own parent is the fork server, which outlives
    that process as long as a worker does, so the worker watches a pidfd of the pool's maker; it
    becomes readable when that process exits, reaped or not."""
    try:
        watched = os.pidfd_open(parent)
    except ProcessLookupError:
        os._exit(1)

    def watch() -> None:
        select.select([watched], [], [])
        os._exit(1)

    threading.Thread(target=watch, name="rnw-parent-watch", daemon=True).start()


def _rebatch(batches: Iterable[pa.RecordBatch], rows: int) -> Iterator[pa.RecordBatch]:
    """Batches of at most ``rows`` rows: small tasks keep every worker busy to the end.

    A part of a larger batch is copied into buffers of its own: pyarrow pickles a slice with its
    parent's whole buffers, so each task of 100 articles cut from a batch of 500 sent the worker all
    500 (3.5 MB of text instead of 0.7 MB for int_article_topics at 100k bench pages)."""
    for batch in batches:
        if batch.num_rows <= rows:
            yield batch
            continue
        for offset in range(0, batch.num_rows, rows):
            yield pa.concat_batches([batch.slice(offset, rows)])


def map_batches(
    function: BatchFunction,
    batches: Iterable[pa.RecordBatch],
    schema: pa.Schema,
    *,
    task_rows: int = 100,
) -> pa.RecordBatchReader:
    """``function`` over every batch, in order, on the worker pool once the input is large enough.

    ``function`` is called with a one-batch list, must be importable at module level (workers
    receive it by name) and returns a table with ``schema``.
    """
    settings = Settings()
    min_parallel_rows = settings.parallel_min_rows
    source = _rebatch(batches, task_rows)
    head: list[pa.RecordBatch] = []
    head_rows = 0
    for batch in source:
        head.append(batch)
        head_rows += batch.num_rows
        if head_rows >= min_parallel_rows:
            break
    workers = worker_count(settings)
    chained = itertools.chain(head, source)
    if workers == 1 or (_pool is None and head_rows < min_parallel_rows):
        results = (function([batch]) for batch in chained)
    else:
        tasks = ([batch] for batch in chained)
        results = _ordered(_shared_pool(workers), function, tasks, in_flight=2 * workers)
    return pa.RecordBatchReader.from_batches(schema, _as_batches(results, schema))


def _ordered(
    pool: ProcessPoolExecutor, function: Callable[[T], R], tasks: Iterator[T], in_flight: int
) -> Iterator[R]:
    """Results in submission order with at most ``in_flight`` tasks queued: memory stays flat."""
    pending: deque[Future[R]] = deque()
    for task in tasks:
        pending.append(pool.submit(function, task))
        if len(pending) >= in_flight:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def ordered_map(function: Callable[[T], R], items: Iterable[T], *, chunk: int = 32) -> Iterator[R]:
    """``function`` over ``items`` in order (ingest decodes files this way).

    The first ``parallel_min_rows`` items run in-process, timed; the rest go to the worker pool in
    chunks when an item took at least ``parallel_min_item_ms``, or from the moment the pool runs.
    Below that, starting workers and sending each result back costs this process more than they
    save it: decoding a page takes 0.1-0.8 ms, and receiving the page with its bytes and text about
    0.6 ms, so a nightly's 1,000 pages took 2.0 s in-process against 4.7 s on a pool it started.
    A pool already running is another matter: ingest starts it ahead of a bulk build
    (``start_pool``), and decoding a 100k first load's pages on it took 194 s against 247 s
    in-process (bench/RESULTS.md, thirty-fifth session).
    """
    settings = Settings()
    source = iter(items)
    head = list(itertools.islice(source, settings.parallel_min_rows))
    started = time.perf_counter()
    done = [function(item) for item in head]  # timed apart from the caller's work between items
    item_ms = (time.perf_counter() - started) * 1000 / max(1, len(head))
    yield from done
    workers = worker_count(settings)
    if len(head) < settings.parallel_min_rows or workers == 1:
        yield from map(function, source)
        return
    if item_ms < settings.parallel_min_item_ms:
        for item in source:
            yield function(item)
            if _pool is not None:  # started by the caller meanwhile: the rest goes to it
                break
        else:
            return
    chunks = _chunked(source, chunk)
    for results in _ordered(_shared_pool(workers), partial(_apply, function), chunks, in_flight=2 * workers):
        yield from results


def start_pool(workers: int | None = None) -> None:
    """Start the fork server and the workers now, so that they are up and warm by the time a build's
    first model hands them work: started by that model, a nightly's extraction waited for them.

    Returns at once: a worker's start waits for the server to have loaded everything (about 3 s of
    CPU), which the caller (dbt loading, ingest reading) spends on the other core. The pool starts a
    worker per submitted task while none is idle, hence the no-op tasks."""
    workers = workers or worker_count(Settings())
    if workers > 1:
        pool = _shared_pool(workers)

        def bring_up() -> None:
            for _ in range(workers):
                pool.submit(int)

        in_background(bring_up)


def stop_pool() -> None:
    """Stop the workers, if any; the next task that needs them starts a new pool."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None
            _stop_fork_server()


def _apply(function: Callable[[T], R], chunk: list[T]) -> list[R]:
    return [function(item) for item in chunk]


def _chunked(items: Iterator[T], size: int) -> Iterator[list[T]]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def _as_batches(tables: Iterable[pa.Table], schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    for table in tables:
        yield from table.cast(schema).to_batches()
