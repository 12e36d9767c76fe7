"""Run a per-batch Python function of a dbt model on every core, streaming its output.

dbt-duckdb runs Python models in the dbt process, one GIL for all of them: extraction and
enrichment, pure Python per article, would use one core of the machine. This hands record batches
to a pool of worker processes and gives dbt a ``RecordBatchReader`` that yields results in input
order as they arrive, so neither the input nor the output of a model is ever held whole in memory.

The pool is started with ``spawn`` (never ``fork``: the dbt process holds DuckDB connections and
threads, and a forked child would inherit the run lock's file descriptor). It is created on first
use and kept for the life of the process, so one dbt build pays its start-up once. Small inputs
(a nightly run's few articles, the tests' examples) run in-process: starting workers would cost
more than it saves.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

import pyarrow as pa

from rnw.settings import Settings

# The library functions take an iterable of batches (a whole model input in tests); a task is one.
BatchFunction = Callable[[Iterable[pa.RecordBatch]], pa.Table]

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
            _pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
            atexit.register(_pool.shutdown, wait=True, cancel_futures=True)
        return _pool


def _rebatch(batches: Iterable[pa.RecordBatch], rows: int) -> Iterator[pa.RecordBatch]:
    """Batches of at most ``rows`` rows: small tasks keep every worker busy to the end."""
    for batch in batches:
        for offset in range(0, batch.num_rows, rows):
            yield batch.slice(offset, rows)


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
    chained = _chain(head, source)
    if head_rows < min_parallel_rows or workers == 1:
        results = (function([batch]) for batch in chained)
    else:
        results = _ordered(_shared_pool(workers), function, chained, in_flight=2 * workers)
    return pa.RecordBatchReader.from_batches(schema, _as_batches(results, schema))


def _chain(head: list[pa.RecordBatch], rest: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    yield from head
    yield from rest


def _ordered(
    pool: ProcessPoolExecutor, function: BatchFunction, batches: Iterator[pa.RecordBatch], in_flight: int
) -> Iterator[pa.Table]:
    """Results in submission order with at most ``in_flight`` batches queued: memory stays flat."""
    pending: deque[Future[pa.Table]] = deque()
    for batch in batches:
        pending.append(pool.submit(function, [batch]))
        if len(pending) >= in_flight:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _as_batches(tables: Iterable[pa.Table], schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    for table in tables:
        yield from table.cast(schema).to_batches()
