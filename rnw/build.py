"""Run ``dbt build`` and turn its structured results into a summary.

dbt runs in this process (a nightly's build reuses the warm worker pool and pays no start-up),
except a bulk build asked of a process whose DuckDB loaded with the steady allocator setting: that
one runs in a process of its own loaded with the bulk setting (``rnw.env``). A bulk build runs in
two dbt invocations (``bulk_stages``), the DuckDB connection closed between them.

dbt-duckdb needs the build file to itself, so builds are serialised by a file lock: two flows
started at once wait for each other instead of failing with "Could not set lock on file".
"""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rnw import env
from rnw.dbfiles import discard_unfinished
from rnw.parallel import start_pool, stop_pool
from rnw.settings import (
    EMPTY_CACHE_VARIABLE,
    MEMORY_LIMIT_VARIABLE,
    OUTPUT_WRITE_CAP_VARIABLE,
    THREADS_VARIABLE,
    WORKERS_VARIABLE,
    Settings,
)
from rnw.warmup import import_model_modules, in_background, warm_dbt_process

if TYPE_CHECKING:
    from dbt.contracts.graph.manifest import Manifest
    from dbt_common.events.base_types import EventMsg

# The stored shape of the incremental models. Bump it when one of them changes its columns or the
# meaning of its rows: an existing build.duckdb is then rebuilt with --full-refresh on its next
# build instead of failing (or, worse, mixing old and new rows). 2: int_body_pairs keeps a spanning
# forest with row_kind; int_person_identities is keyed on name. 3: the article chain is incremental,
# dim_articles has canonical_occurrence_id and the marts are built in build_marts.duckdb. 4: the
# marts' keys are no longer PRIMARY KEY constraints (a table keeps the constraints it was made with).
# 5: every mart column that must never be NULL has a NOT NULL constraint instead of a not_null test.
# 6: int_body_signatures stores each body's LSH band keys. 7: fct_article_occurrences has body_id.
BUILD_LAYOUT = "7"
LAYOUT_FILE = "build.layout"
# Digest of the reference data the build file last built (see reference_nodes).
REFERENCE_FILE = "build.reference"
# Digest of the macros dbt's stored partial parse was made with, beside it in the target folder.
MACROS_FILE = "rnw_macros.digest"


class BuildError(RuntimeError):
    """dbt could not run at all, or a model or test failed."""


@dataclass
class BuildSummary:
    success: bool
    models: int = 0
    tests_passed: int = 0
    tests_failed: int = 0
    tests_warned: int = 0
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    allocator: str = ""
    """The DuckDB allocator setting the build ran with (``rnw.env``): ``ALLOCATOR_BULK`` for a bulk
    build, whether its command chose it ahead or the build ran in a process of its own."""
    threads: int | None = None
    """dbt's threads when the command chose them: ``bulk_dbt_threads`` for a bulk build."""
    invocations: int = 1
    """dbt invocations the build took: two for a bulk build in stages (``bulk_stages``)."""
    memory_limits: list[str] = field(default_factory=list)
    """DuckDB's memory cap in dbt's profile, per invocation: a bulk build's stages run under
    ``bulk_duckdb_memory_limit``."""
    duckdb_threads: int | None = None
    """DuckDB's threads in the build (``duckdb_threads``); None: DuckDB's default, one per core."""
    empties_cache_between_parts: bool = False
    """Whether the models that read a large table in parts emptied DuckDB's cache between them
    (``EMPTY_CACHE_VARIABLE``): a bulk build on one dbt thread, which runs one node at a time."""
    output_write_memory_limit: str | None = None
    """DuckDB's cap while dbt wrote each enrichment model's output (``OUTPUT_WRITE_CAP_VARIABLE``):
    ``bulk_output_duckdb_memory_limit`` in a bulk build on one dbt thread, else None."""
    workers: int | None = None
    """The worker pool's size for the models (``WORKERS_VARIABLE``; None: every core):
    ``steady_build_workers`` in a steady build unless it is 0, else ``workers``."""
    bulk: bool = False
    """Whether it was a bulk build (``is_bulk``: from nothing, a full refresh, a large backfill)."""

    def how_it_ran(self) -> str:
        """One line of the run summary: how the build chose to run, which otherwise only the code
        tells (a backfill that turned into a bulk build is leaner and runs one node at a time)."""
        plural = "s" if self.invocations != 1 else ""
        parts = [f"{'bulk' if self.bulk else 'steady'} build in {self.invocations} dbt invocation{plural}"]
        if self.threads:
            parts.append(f"{self.threads} dbt thread{'s' if self.threads != 1 else ''}")
        if self.memory_limits:
            parts.append(f"DuckDB capped at {', '.join(self.memory_limits)}")
        if self.empties_cache_between_parts:
            parts.append("its cache emptied between parts")
        if self.output_write_memory_limit:
            parts.append(f"enrichment output written under {self.output_write_memory_limit}")
        if self.workers == 1:
            parts.append("models in the dbt process")
        elif self.workers:
            parts.append(f"models on {self.workers} worker processes")
        else:
            parts.append("models on one worker process per core")
        return "; ".join(parts)


@contextmanager
def build_lock(home: Path) -> Iterator[int]:
    """Hold ``home/build.lock``; yields its file descriptor so that a bulk build's process can share
    the lock: it is released only when both processes are gone."""
    with open(home / "build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield handle.fileno()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_dbt(settings: Settings, command: str = "build", extra: list[str] | None = None) -> BuildSummary:
    """``dbt <command>`` against the configured project; returns a summary, never raises on test failures.

    DuckDB runs on ``duckdb_threads`` threads. A bulk build (``is_bulk``) runs with
    ``bulk_dbt_threads`` dbt threads, in a process of its own whose DuckDB loads with
    ``ALLOCATOR_BULK`` (see ``rnw.env``) when this process loaded DuckDB with the steady default.
    """
    extra = list(extra or [])
    settings.export_env()
    with build_lock(settings.home_dir) as lock:
        _discard_unfinished_build_files(settings)
        _upgrade_raw_store(settings.raw_db)
        bulk = command in {"build", "run"} and is_bulk(settings, extra)
        if bulk:
            if "--threads" not in extra:
                extra += ["--threads", str(settings.bulk_dbt_threads)]
            if env.bulk_builds_need_own_process():
                return _run_in_bulk_process(settings, command, extra, lock)
        return _run_here(settings, command, extra, bulk=bulk)


def _upgrade_raw_store(path: Path) -> None:
    """Bring a raw store written by an older version to the layout the staging models read (see
    ``rnw.rawstore``), or make an empty one: a build may run before any ingest of this version."""
    from rnw.rawstore import RawStore

    RawStore(path)


def _discard_unfinished_build_files(settings: Settings) -> None:
    """Remove a build or marts file a run killed while DuckDB created it (``rnw.dbfiles``): it held
    nothing, DuckDB would refuse to open it, and the build makes it again."""
    for path in (settings.build_db, settings.marts_db):
        discard_unfinished(path)


def is_bulk(settings: Settings, extra: list[str]) -> bool:
    """Whether a build will stream the whole archive, or a large part of it, through DuckDB: a
    build from nothing, a full refresh, or at least ``bulk_build_pages`` pages still to extract
    (a large backfill, a new extractor version)."""
    if settings.builds_everything("--full-refresh" in extra) or _layout_is_stale(settings):
        return True
    return _pages_to_extract(settings) >= settings.bulk_build_pages


def _pages_to_extract(settings: Settings) -> int:
    """Raw pages that the build file has not extracted with the current extractor (key columns only)."""
    import duckdb

    from rnw.articles import current_extractor_versions

    versions = ", ".join(f"'{v}'" for v in current_extractor_versions())
    con = duckdb.connect(config={"memory_limit": settings.duckdb_memory_limit})
    try:
        for alias, path in (("raw", settings.raw_db), ("build", settings.build_db)):
            quoted = str(path).replace("'", "''")
            con.execute(f"ATTACH '{quoted}' AS {alias} (READ_ONLY)")
        return con.execute(
            "SELECT count(*) FROM raw.pages ANTI JOIN ("
            "SELECT page_id FROM build.intermediate.int_pages_extracted"
            f" WHERE extractor_version IN ({versions})) USING (page_id)"
        ).fetchone()[0]
    except duckdb.CatalogException:  # no extraction in the build file yet: every page is to do
        return settings.bulk_build_pages
    finally:
        con.close()


def _run_in_bulk_process(settings: Settings, command: str, extra: list[str], lock: int) -> BuildSummary:
    """``_run_here`` in a new process loaded with ``ALLOCATOR_BULK``; it shares the build lock and
    dies with this process (a killed run leaves no build running behind it)."""
    stop_pool()  # the build's process starts its own workers; idle ones here would only hold memory
    with tempfile.TemporaryDirectory(dir=settings.home_dir, prefix="bulk-build-") as folder:
        result = Path(folder) / "result.json"
        request = {
            "parent": os.getpid(),
            "settings": settings.model_dump(mode="json"),
            "command": command,
            "extra": extra,
            "result": str(result),
        }
        process = subprocess.run(
            [sys.executable, "-m", "rnw.build", json.dumps(request)],
            env={**os.environ, env.ALLOCATOR_VARIABLE: env.ALLOCATOR_BULK},
            pass_fds=(lock,),
            check=False,
        )
        if not result.exists():
            raise BuildError(f"dbt {command} failed in its build process (exit code {process.returncode})")
        outcome = json.loads(result.read_text())
    if "error" in outcome:
        raise BuildError(outcome["error"])
    return BuildSummary(**outcome["summary"])


def _bulk_process_main(request: dict) -> None:
    """Entry of a bulk build's process (``python -m rnw.build REQUEST``)."""
    _die_with(request["parent"])
    settings = Settings(**request["settings"])
    settings.export_env()
    try:
        outcome = {"summary": asdict(_run_here(settings, request["command"], request["extra"], bulk=True))}
    except BuildError as error:
        outcome = {"error": str(error)}
    Path(request["result"]).write_text(json.dumps(outcome))


def _die_with(parent: int) -> None:
    """Have the kernel SIGKILL this process when its parent dies (Linux ``PR_SET_PDEATHSIG``)."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _run_here(settings: Settings, command: str, extra: list[str], *, bulk: bool = False) -> BuildSummary:
    """The build in this process; the caller holds the build lock."""
    args = [*command.split(), *_project_args(settings), *extra]
    workers = settings.workers if bulk or not settings.steady_build_workers else settings.steady_build_workers
    if command in {"build", "run"} and workers != 1:
        start_pool(workers)  # its fork server loads the extractor and enrichers while dbt loads and parses
    _forget_partial_parse_when_macros_change(settings)
    refresh = _layout_is_stale(settings) and command in {"build", "run"} and "--full-refresh" not in args
    if refresh:
        args.append("--full-refresh")
    manifest, reference, skipped = None, None, []
    if command == "build" and not {"--select", "-s", "--exclude"} & set(args):
        manifest = _parse(settings, args)
        reference = reference_nodes(manifest, _seeds_digest(settings))
        if "--full-refresh" not in args and _reference_is_built(settings, reference.digest):
            skipped = reference.selectors
            reference = None  # nothing to record: it was not built
    if bulk and manifest is not None:
        invocations = [args + selection for selection in bulk_stages(manifest, skipped)]
        memory_limits = [settings.bulk_duckdb_memory_limit] * len(invocations)
    else:
        # Excluded eagerly (dbt's default), a node takes every test reading it along, so the
        # tests joining an article mart to dim_regions or dim_topics never ran in a nightly and
        # that mart's articles stayed unverified, to be checked again by every later nightly.
        invocations = [args + (["--exclude", *skipped, "--indirect-selection", "empty"] if skipped else [])]
        memory_limits = [settings.duckdb_memory_limit]
    duckdb_threads = settings.duckdb_threads or None
    threads = int(args[args.index("--threads") + 1]) if "--threads" in args else None
    alone = bulk and threads == 1  # one node at a time
    output_write_cap = settings.bulk_output_duckdb_memory_limit if alone else None
    shutil.rmtree(settings.scratch_dir, ignore_errors=True)  # a previous build's model output
    if command in {"build", "run"}:
        in_background(warm_dbt_process if not bulk and workers == 1 else import_model_modules)
    try:
        result = _invoke_in_turn(
            settings,
            manifest,
            list(zip(invocations, memory_limits, strict=True)),
            duckdb_threads,
            output_write_cap,
            workers,
        )
    finally:
        stop_pool()  # when a failure skipped the models that would have stopped it (PoolRelease)
    if result.exception is None and result.success and command in {"build", "run"}:
        (settings.home_dir / LAYOUT_FILE).write_text(BUILD_LAYOUT + "\n")
        if reference is not None:
            (settings.home_dir / REFERENCE_FILE).write_text(reference.digest + "\n")
    if result.exception is not None:
        raise BuildError(f"dbt {command} could not run: {result.exception}")
    summary = summarise(result.results, result.success)
    summary.allocator = os.environ.get(env.ALLOCATOR_VARIABLE, "")
    summary.threads = threads
    summary.invocations = result.invocations
    summary.memory_limits = memory_limits[: result.invocations]
    summary.duckdb_threads = duckdb_threads
    summary.empties_cache_between_parts = alone
    summary.output_write_memory_limit = output_write_cap
    summary.workers = workers
    summary.bulk = bulk
    if refresh:
        summary.warnings.insert(
            0, f"build.duckdb had an older layout: rebuilt in full (layout {BUILD_LAYOUT})"
        )
    return summary


@contextmanager
def _environment(name: str, value: str | None) -> Iterator[None]:
    """``name`` set to ``value`` (None: unset) in this process's environment, as it was afterwards."""
    before = os.environ.get(name)
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


# dbt_project.yml tags the models of a bulk build's first stage: staging and the chain from pages
# to distinct articles.
BULK_STAGE_ONE_TAG = "bulk_stage_one"


def bulk_stages(manifest: Manifest, skipped: list[str]) -> list[list[str]]:
    """The selection arguments of a bulk build's two dbt invocations: the tagged models (and the
    seeds they read) with the tests that read only these, then every other node; ``skipped``
    (``fqn:`` selectors of built reference nodes) in neither.

    DuckDB keeps memory for every table a connection wrote, given back only when the connection
    closes: about 100 MB by the end of a 100k-page build. Closing it halfway took that build's
    process tree from 1,117 to 1,021 MiB, in the same time (bench/RESULTS.md, seventeenth
    session). Each invocation lists its nodes itself (``--indirect-selection empty``), so a test
    reading both stages' models runs once, in the second, after all of its inputs.
    """
    nodes = manifest.nodes

    def kind(unique_id: str) -> str:
        return unique_id.split(".", 1)[0]

    first = {u for u, node in nodes.items() if kind(u) == "model" and BULK_STAGE_ONE_TAG in node.tags}
    first |= {d for u in first for d in nodes[u].depends_on.nodes if kind(d) == "seed"}
    outside = sorted({d for u in first for d in nodes[u].depends_on.nodes if kind(d) == "model"} - first)
    if outside:
        raise BuildError(f"the models tagged {BULK_STAGE_ONE_TAG} read untagged models: {', '.join(outside)}")
    first |= {
        u
        for u, node in nodes.items()
        if kind(u) == "test"
        and node.depends_on.nodes
        and all(d in first or kind(d) == "source" for d in node.depends_on.nodes)
    }
    skip = set(skipped)
    selectors = ["fqn:" + ".".join(nodes[u].fqn) for u in sorted(first)]
    stage_one = [s for s in selectors if s not in skip]
    return [
        ["--select", *stage_one, "--indirect-selection", "empty"],
        ["--exclude", *selectors, *skipped, "--indirect-selection", "empty"],
    ]


@dataclass
class _Outcome:
    """What a build's dbt invocations gave, together: every node's result, and the last one's
    success and exception."""

    results: list
    success: bool
    exception: BaseException | None
    invocations: int


def _invoke_in_turn(
    settings: Settings,
    manifest: Manifest | None,
    invocations: list[tuple[list[str], str]],
    duckdb_threads: int | None,
    output_write_cap: str | None,
    workers: int | None,
) -> _Outcome:
    """Run the invocations (dbt's arguments, DuckDB's memory cap) one after the other until one
    fails, closing DuckDB after each; DuckDB runs on ``duckdb_threads`` threads in all of them
    (None: its default). When ``output_write_cap`` is set (a build that runs one node at a time),
    the models empty DuckDB's cache between parts (``EMPTY_CACHE_VARIABLE``) and the enrichment
    models have their output written under that cap (``OUTPUT_WRITE_CAP_VARIABLE``); either would
    take memory from a node running beside them, since DuckDB's cap is global. The models use a
    pool of ``workers`` (None: every core). With more than
    one, their run_results.json files are merged into one, as a single invocation would have
    written it.

    The heap is not trimmed between them (``malloc_trim``): the next models reuse what the first
    freed (bench/RESULTS.md, seventeenth session).
    """
    from dbt.cli.main import dbtRunner

    results: list = []
    merged: dict | None = None
    run_results = settings.dbt_target_dir / "run_results.json"
    callbacks = [] if manifest is None else [PoolRelease(worker_pool_models(manifest))]
    for count, (args, memory_limit) in enumerate(invocations, start=1):
        if len(invocations) > 1:  # an invocation that fails before writing one merges nothing stale
            run_results.unlink(missing_ok=True)
        try:
            with (
                _environment(MEMORY_LIMIT_VARIABLE, memory_limit),
                _environment(THREADS_VARIABLE, None if duckdb_threads is None else str(duckdb_threads)),
                _environment(EMPTY_CACHE_VARIABLE, None if output_write_cap is None else "1"),
                _environment(OUTPUT_WRITE_CAP_VARIABLE, output_write_cap),
                _environment(WORKERS_VARIABLE, None if workers is None else str(workers)),
            ):
                result = dbtRunner(manifest=manifest, callbacks=callbacks).invoke(args)
        finally:
            _release_duckdb()
        results += getattr(result.result, "results", None) or []
        if len(invocations) > 1 and run_results.exists():
            merged = _merge_run_results(merged, json.loads(run_results.read_text(encoding="utf-8")))
        if result.exception is not None or not result.success:
            break
    if merged is not None:
        run_results.write_text(json.dumps(merged), encoding="utf-8")
    return _Outcome(results, bool(result.success), result.exception, count)


# Config meta of the models that run Python on the worker pool (rnw.parallel).
WORKER_POOL_META = "worker_pool"


def worker_pool_models(manifest: Manifest) -> set[str]:
    """The models that declare ``meta={"worker_pool": True}``: the pool's users."""
    return {u for u, node in manifest.nodes.items() if node.config.meta.get(WORKER_POOL_META)}


class PoolRelease:
    """A dbt event callback that stops the worker pool once every model in ``waiting`` has
    finished: the models and tests that follow have no use for idle workers, which hold the
    extractors' and enrichers' data (about 350 MB). Kept to the end, they were part of a 100k-page
    build's peak, reached in its last test, and of a nightly's, in the marts; kept until the last
    Python model, of the peak in ``int_person_identities`` (bench/RESULTS.md, eighteenth session).

    Only a whole build knows its models ahead (``_run_here`` with a manifest); a model that does
    not run (skipped after a failure) leaves the pool up, as before.
    """

    def __init__(self, waiting: set[str]) -> None:
        self.waiting = set(waiting)

    def __call__(self, event: EventMsg) -> None:
        if self.waiting and event.info.name == "NodeFinished":
            self.waiting.discard(event.data.node_info.unique_id)
            if not self.waiting:
                stop_pool()


def _merge_run_results(earlier: dict | None, later: dict) -> dict:
    if earlier is None:
        return later
    return {
        **later,
        "results": earlier["results"] + later["results"],
        "elapsed_time": earlier["elapsed_time"] + later["elapsed_time"],
    }


def _layout_is_stale(settings: Settings) -> bool:
    """A build file whose incremental tables were made by another layout (or before layouts were
    recorded). No build file: nothing to refresh."""
    if not settings.build_db.exists():
        return False
    marker = settings.home_dir / LAYOUT_FILE
    return not marker.exists() or marker.read_text().strip() != BUILD_LAYOUT


def _project_args(settings: Settings) -> list[str]:
    return [
        "--project-dir",
        str(settings.dbt_project_dir),
        "--profiles-dir",
        str(settings.dbt_project_dir),
        "--target-path",
        str(settings.dbt_target_dir),
        "--log-path",
        str(settings.home_dir / "logs"),
        "--log-level-file",
        settings.dbt_log_level_file,
    ]


def _parse(settings: Settings, args: list[str]) -> Manifest:
    """The project's manifest, parsed once: the build reuses it (``dbtRunner(manifest=...)``)."""
    from dbt.cli.main import dbtRunner

    variables = args[args.index("--vars") : args.index("--vars") + 2] if "--vars" in args else []
    result = dbtRunner().invoke(["parse", "--no-write-json", *_project_args(settings), *variables])
    if result.exception is not None or not result.success:
        raise BuildError(f"dbt parse failed: {result.exception}")
    return result.result


@dataclass(frozen=True)
class Reference:
    """The nodes whose result follows from the project alone, and a digest of their definitions."""

    names: list[str]
    selectors: list[str]
    """``fqn:`` selectors of exactly these nodes. A bare name is also a path prefix to dbt, so the
    seed ``regions`` would exclude everything under a top-level ``regions`` folder."""
    digest: str


def reference_nodes(manifest: Manifest, seeds_digest: str) -> Reference:
    """Seeds, the models that read nothing else (``dim_regions`` from seeds, ``dim_dates`` from
    nothing) and the tests that read only these.

    Their tables change only when their definitions do, so a build with an unchanged digest skips
    them: reloading and re-testing them cost every nightly 113 of its 284 dbt nodes. The digest
    covers the seed files, each node's code and config, and the SQL of the macros it calls. A model
    with no ``ref`` or ``source`` counts as reference data, so one must never read anything else
    (a file, the raw store) without declaring it.
    """
    nodes = manifest.nodes
    known: dict[str, bool] = {}

    def is_reference(unique_id: str) -> bool:
        if unique_id not in known:
            node = nodes.get(unique_id)  # sources and unit tests are not in manifest.nodes
            kind = str(getattr(node, "resource_type", "")).rsplit(".", 1)[-1].lower()
            known[unique_id] = kind == "seed" or (
                kind in {"model", "test"} and all(map(is_reference, node.depends_on.nodes))
            )
        return known[unique_id]

    chosen = sorted(u for u in nodes if is_reference(u))
    digest = hashlib.sha256(seeds_digest.encode())
    for unique_id in chosen:
        node = nodes[unique_id]
        macros = [
            manifest.macros[m].macro_sql for m in sorted(node.depends_on.macros) if m in manifest.macros
        ]
        config = json.dumps(node.config.to_dict(), sort_keys=True, default=str)
        digest.update("\0".join([unique_id, node.checksum.checksum, config, *macros]).encode() + b"\1")
    return Reference(
        names=[nodes[u].name for u in chosen],
        selectors=["fqn:" + ".".join(nodes[u].fqn) for u in chosen],
        digest=digest.hexdigest(),
    )


def _folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _seeds_digest(settings: Settings) -> str:
    """dbt checksums a large seed by its path only, so the files themselves are hashed."""
    return _folder_digest(settings.dbt_project_dir / "seeds")


def _forget_partial_parse_when_macros_change(settings: Settings) -> None:
    """dbt 1.11's partial parse, when a macro file and the macros' yml change together, keeps the
    config the old macro gave the models: after an upgrade that changed the per-article marts' hook
    macros, those models kept their old hooks and every nightly failed. So a change to any macro
    costs one full parse (about 2.5 s) instead."""
    target = settings.dbt_target_dir
    marker = target / MACROS_FILE
    digest = _folder_digest(settings.dbt_project_dir / "macros")
    if marker.exists() and marker.read_text().strip() == digest:
        return
    (target / "partial_parse.msgpack").unlink(missing_ok=True)
    target.mkdir(parents=True, exist_ok=True)
    marker.write_text(digest + "\n")


def _reference_is_built(settings: Settings, digest: str) -> bool:
    """The build file holds the reference data of this digest, built and tested by an earlier
    successful build."""
    marker = settings.home_dir / REFERENCE_FILE
    return settings.build_db.exists() and marker.exists() and marker.read_text().strip() == digest


def _release_duckdb() -> None:
    """Close the DuckDB handle dbt-duckdb caches per process.

    Left open, it keeps ``build.duckdb`` attached, and the publish step (same process) could not
    attach the file read-only ("Unique file handle conflict").
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    env = DuckDBConnectionManager._ENV
    if env is not None:
        env.close()
    DuckDBConnectionManager.close_all_connections()


def summarise(results: list, success: bool) -> BuildSummary:
    """The counts of dbt's node results (``RunResult``), failures and warnings with their messages."""
    summary = BuildSummary(success=bool(success))
    statuses: Counter[tuple[str, str]] = Counter()
    for node_result in results:
        node = node_result.node
        status = str(node_result.status).lower().rsplit(".", 1)[-1]
        kind = str(node.resource_type).lower().rsplit(".", 1)[-1]
        statuses[(kind, status)] += 1
        if status in {"error", "fail"}:
            summary.failures.append(f"{node.name}: {node_result.message}")
        elif status == "warn":
            summary.warnings.append(f"{node.name}: {node_result.message}")
    summary.models = sum(
        n for (kind, status), n in statuses.items() if kind in {"model", "seed"} and status == "success"
    )
    summary.tests_passed = statuses[("test", "pass")] + statuses[("unit_test", "pass")]
    summary.tests_failed = sum(
        n
        for (kind, status), n in statuses.items()
        if kind in {"test", "unit_test"} and status in {"fail", "error"}
    )
    summary.tests_warned = sum(
        n for (kind, status), n in statuses.items() if kind in {"test", "unit_test"} and status == "warn"
    )
    return summary


if __name__ == "__main__":
    _bulk_process_main(json.loads(sys.argv[1]))
