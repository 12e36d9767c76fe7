"""End-to-end pipeline benchmark: pages per second per stage, peak memory, and the nightly cost.

For each corpus size (made by bench/make_corpus.py from the real pages) a fresh child process
ingests 99% of the pages, runs the dbt build and publishes; a second one plays a nightly run (the
last 1% of pages, incremental build, publish), and a third a full rebuild (`--full-refresh`,
publish). Stage times for extraction, enrichment and clustering come from dbt's own
run_results.json. trafilatura's extraction speed is measured on the same pages in the same run, as
a ratio to ours.

    .venv/bin/python bench/pipeline.py --pages 1000 10000 --work /tmp/rnw-bench [--json out.json]

Each stage (first load, nightly, full rebuild) runs in a process of its own; peak memory is
sampled over each one's process tree.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NIGHTLY_SHARE = 0.01
BASELINE_SAMPLE = 300
# Rounds of the speed gauge; the fastest counts (the machine's speed moves over minutes, not within
# a second).
GAUGE_ROUNDS = 3
# dbt nodes listed per phase in the memory report, heaviest first.
HEAVIEST_NODES = 6


def _timed(fn, *args, **kwargs) -> tuple[object, float]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def _model_seconds(target: Path) -> dict[str, float]:
    """Seconds per dbt model from run_results.json, grouped into the stages that matter."""
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    groups: dict[str, float] = defaultdict(float)
    for result in results:
        name = result["unique_id"].split(".")[-1]
        if result["unique_id"].startswith("test."):
            stage = "dbt_tests"
        elif name == "int_pages_extracted":
            stage = "extraction"
        elif name in ("int_article_clusters", "int_body_pairs"):
            stage = "near_duplicates"
        elif name.startswith(("int_article_", "int_person_identities")):
            stage = "enrichment"
        else:
            stage = "sql_models_and_seeds"
        groups[stage] += result["execution_time"]
    return {k: round(v, 2) for k, v in groups.items()}


class Phases:
    """Marks which stage the child is in, in a file the parent's memory sampler reads: the peak of
    each stage, and the dbt nodes that ran at the peak, say where memory goes."""

    def __init__(self, path: Path, *, append: bool = False) -> None:
        self.path = path
        if not append:
            self.path.write_text("", encoding="utf-8")

    def __call__(self, name: str) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(f"{time.time()} {name}\n")


def _node_intervals(target: Path) -> list[tuple[float, float, str]]:
    """(start, end, node) in epoch seconds for every node of the last dbt invocation."""
    from datetime import datetime

    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    intervals = []
    for result in results:
        stamps = [(t["started_at"], t["completed_at"]) for t in result["timing"] if t.get("started_at")]
        if stamps:
            start = min(datetime.fromisoformat(a) for a, _ in stamps)
            end = max(datetime.fromisoformat(b) for _, b in stamps)
            intervals.append((start.timestamp(), end.timestamp(), result["unique_id"].split(".")[2]))
    return intervals


def _files_by_source(entries, corpus: Path) -> dict[str, list[Path]]:
    """The manifest entries' files per source, as a run's file sources list them."""
    by_source: dict[str, list[Path]] = defaultdict(list)
    for entry in entries:
        by_source[entry.source].append(corpus / entry.path)
    return dict(sorted(by_source.items()))


def _link_pages(corpus: Path, entries, folder: Path) -> None:
    """A folder per source holding a symbolic link to each of ``entries``' files, for a stage to
    ingest as folders (``_linked_sources``). Made by the harness, outside the measured processes.

    A stage given its files as a list (99k paths at 100k pages), after reading the manifest to make
    it, carried the freed memory of both: the 100k first load's ingest process reached 611-650 MiB
    against 520-523 given folders (bench/RESULTS.md, fortieth session), a 10k one about a tenth of
    that. A backfill is ingested as folders (``rnw ingest DIR`` walks them lazily), and a stored
    page's uri is the file's resolved path, the same through a link."""
    if folder.exists():
        subprocess.run(["rm", "-rf", str(folder)], check=True)
    for entry in entries:
        source = folder / entry.source
        source.mkdir(parents=True, exist_ok=True)
        (source / Path(entry.path).name).symlink_to(corpus / entry.path)


def _linked_sources(folder: Path) -> dict[str, list[Path]]:
    """The sources ``_link_pages`` made, each with its folder."""
    return {source.name: [source] for source in sorted(folder.iterdir())}


def _linked_pages(sources: dict[str, list[Path]]) -> int:
    return sum(1 for folders in sources.values() for folder in folders for _ in os.scandir(folder))


def _ingest(store, files: dict[str, list[Path]]) -> float:
    from rnw.ingest import ingest_sources

    start = time.perf_counter()
    with store.session():  # as the nightly flow's file sources
        ingest_sources(store, files, run_id="bench")
    return time.perf_counter() - start


def _decoded(files: list[Path]) -> list[str]:
    """The files' text as the pipeline decodes it: the input of the baseline and of the gauge."""
    from scrapers.encoding import decode_bytes

    return [decode_bytes(path.read_bytes()).text for path in files]


def _baseline(files: list[Path]) -> dict:
    """Our HTML extraction against trafilatura's on the same decoded pages, in this process."""
    import trafilatura

    from scrapers.extraction import extract_html

    pages = _decoded(files)
    _, ours = _timed(lambda: [extract_html(p) for p in pages])
    _, theirs = _timed(lambda: [trafilatura.extract(p) for p in pages])
    return {
        "pages": len(pages),
        "ours_pages_per_s": round(len(pages) / ours, 1),
        "trafilatura_pages_per_s": round(len(pages) / theirs, 1),
        "ratio": round(theirs / ours, 2),
    }


def _speed_gauge(pages: list[str]) -> float:
    """Pages per second of our extraction over ``pages``, the fastest of ``GAUGE_ROUNDS``: a gauge
    of the machine's speed at that moment. This VM's CPUs ran the same work 1.6x slower within an
    hour (bench/RESULTS.md, twenty-second session), so a nightly timed at another moment than the
    first load it is compared with needs it. Run in the harness, between stages: the measured
    process trees never run it."""
    from scrapers.extraction import extract_html

    fastest = min(_timed(lambda: [extract_html(page) for page in pages])[1] for _ in range(GAUGE_ROUNDS))
    return round(len(pages) / fastest, 1)


def first_load(pages: int, work: Path) -> dict:
    """Load 99% of the corpus into an empty home (ingest, build, publish), then measure
    trafilatura against our extraction on the same pages."""
    from bench.make_corpus import read_manifest
    from rnw.build import run_dbt
    from rnw.publish import publish
    from rnw.rawstore import RawStore
    from rnw.settings import Settings

    corpus = work / f"corpus-{pages}"
    # The harness linked this stage's pages into folders (_link_pages): the manifest and a list of
    # every file are the harness's, and their freed memory stayed with the process that read them.
    loaded = _linked_sources(work / f"links-{pages}" / "first-load")
    baseline_files = [corpus / e.path for e in read_manifest(corpus, limit=BASELINE_SAMPLE)]
    home = work / f"home-{pages}"
    if home.exists():
        subprocess.run(["rm", "-rf", str(home)], check=True)
    settings = Settings(home=home)
    settings.export_env()
    store = RawStore(settings.raw_db)
    target = settings.dbt_target_dir
    result: dict = {"pages": pages}
    phase = Phases(work / f"phases-{pages}")
    nodes: list[tuple[float, float, str]] = []

    phase("first load: ingest")
    ingest_s = _ingest(store, loaded)
    phase("first load: dbt build")
    build, build_s = _timed(run_dbt, settings, "build", ["--quiet"])
    assert build.success, build.failures
    models = _model_seconds(target)
    nodes += _node_intervals(target)
    phase("first load: publish")
    _, publish_s = _timed(publish, settings)
    first = _linked_pages(loaded)
    result["first_load"] = {
        "pages": first,
        "ingest_s": round(ingest_s, 2),
        "dbt_build_s": round(build_s, 2),
        "dbt_models_s": models,
        "publish_s": round(publish_s, 2),
        "pages_per_s": {
            "ingest": round(first / ingest_s, 1),
            "extraction": round(first / models.get("extraction", 1e-9), 1),
            "enrichment": round(first / models.get("enrichment", 1e-9), 1),
            "dbt_build": round(first / build_s, 1),
            "publish": round(first / publish_s, 1),
            "end_to_end": round(first / (ingest_s + build_s + publish_s), 1),
        },
    }
    phase("extraction baseline")
    result["extraction_baseline"] = _baseline(baseline_files)
    result["dbt_nodes"] = nodes
    return result


def nightly_run(pages: int, work: Path) -> dict:
    """The nightly run on the warehouse ``first_load`` made: the last 1% of the pages, ingested,
    built incrementally and published, in a process of its own, as the scheduled run is (``rnw run``
    from cron, or a flow run of the served deployment). Played in the process that had just made the
    first load, the nightly measured 45.5 s at 100k pages, against 38-39 s for the same nightly on
    a copy of that home in a new process: the first build's process carries its heap."""
    from rnw.build import run_dbt
    from rnw.publish import publish
    from rnw.rawstore import RawStore
    from rnw.settings import Settings

    new = _linked_sources(work / f"links-{pages}" / "nightly")  # see first_load
    settings = Settings(home=work / f"home-{pages}")
    settings.export_env()
    store = RawStore(settings.raw_db)
    target = settings.dbt_target_dir
    phase = Phases(work / f"phases-{pages}", append=True)
    phase("nightly: ingest")
    ingest_s = _ingest(store, new)
    phase("nightly: dbt build")
    build, build_s = _timed(run_dbt, settings, "build", ["--quiet"])
    assert build.success, build.failures
    models = _model_seconds(target)
    nodes = _node_intervals(target)
    phase("nightly: publish")
    _, publish_s = _timed(publish, settings)
    return {
        "new_pages": _linked_pages(new),
        "seconds": round(ingest_s + build_s + publish_s, 2),
        "ingest_s": round(ingest_s, 2),
        "dbt_build_s": round(build_s, 2),
        "publish_s": round(publish_s, 2),
        "dbt_models_s": models,
        "dbt_nodes": nodes,
    }


def full_rebuild(pages: int, work: Path) -> dict:
    """``dbt build --full-refresh`` and publish of the home the nightly left, in a process of its own."""
    from rnw.build import run_dbt
    from rnw.publish import publish
    from rnw.settings import Settings

    settings = Settings(home=work / f"home-{pages}")
    settings.export_env()
    target = settings.dbt_target_dir
    phase = Phases(work / f"phases-{pages}", append=True)
    phase("full rebuild: dbt build")
    build, build_s = _timed(run_dbt, settings, "build", ["--quiet", "--full-refresh"])
    assert build.success, build.failures
    models = _model_seconds(target)
    nodes = _node_intervals(target)
    phase("full rebuild: publish")
    _, publish_s = _timed(publish, settings)
    return {"seconds": round(build_s + publish_s, 2), "dbt_models_s": models, "dbt_nodes": nodes}


class Sample(NamedTuple):
    """One reading of a stage's process tree (``_tree_memory_kb``), memory in kB."""

    at: float
    """When, in epoch seconds (dbt's node intervals and the phase marks use the same clock)."""
    rss: int
    """RSS summed over the tree: shared libraries counted once per process."""
    pss: int
    """PSS summed over the tree: its real footprint."""
    largest: int
    """The largest single process's RSS."""
    own: int
    """The root's own PSS: tells a peak of the stage's process (dbt and DuckDB) from one of its
    workers."""
    anonymous: int
    """The anonymous part of the PSS sum."""


def _tree_memory_kb(root: int) -> Sample:
    """The memory of ``root`` and its descendants (the worker pool) now, from /proc.

    PSS splits shared pages among the processes sharing them, so its sum is the tree's real
    footprint; the RSS sum counts shared libraries once per process. The anonymous part is the
    data (heaps, DuckDB's buffers) without the mapped code and files, whose resident share the
    kernel trims when they go cold (this machine's DAMON pages out what was not touched for a
    minute): what grows with an archive shows there.
    """
    at = time.time()  # a reading is stamped when its walk starts, before /proc is read
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier += children
    rss = pss = largest = own = anon = 0
    for pid in tree:
        try:
            fields = dict(
                line.split()[:2] for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
            )
        except OSError:
            continue
        process_rss, process_pss = int(fields.get("Rss:", 0)), int(fields.get("Pss:", 0))
        rss += process_rss
        pss += process_pss
        anon += int(fields.get("Pss_Anon:", 0))
        largest = max(largest, process_rss)
        if pid == root:
            own = process_pss
    return Sample(at, rss, pss, largest, own, anon)


def _heaviest_nodes(inside: list[Sample], nodes: list) -> list[dict]:
    """The dbt nodes of a phase by the peak tree PSS sampled while each ran, heaviest first: the
    phase's peak names only the node at its top, while flatness depends on every node near it."""
    heaviest = []
    for start, end, node in nodes:
        during = [s for s in inside if start <= s.at <= end]
        if during:
            top = max(during, key=lambda s: s.pss)
            heaviest.append(
                {
                    "node": node,
                    "peak_tree_pss_mb": round(top.pss / 1024, 1),
                    "stage_process_pss_mb": round(top.own / 1024, 1),
                }
            )
    heaviest.sort(key=lambda n: -n["peak_tree_pss_mb"])
    return heaviest[:HEAVIEST_NODES]


def memory_by_phase(samples: list[Sample], phases: Path, nodes: list) -> list[dict]:
    """Peak tree PSS and largest process RSS (MB) of each phase the child marked, with the stage
    process's own PSS at that peak, the dbt nodes running then and the phase's heaviest nodes."""
    marks = []
    for line in phases.read_text(encoding="utf-8").splitlines():
        stamp, name = line.split(" ", 1)
        marks.append((float(stamp), name))
    report = []
    for n, (start, name) in enumerate(marks):
        end = marks[n + 1][0] if n + 1 < len(marks) else float("inf")
        inside = [s for s in samples if start <= s.at < end]
        if not inside:
            continue
        top = max(inside, key=lambda s: s.pss)
        report.append(
            {
                "phase": name,
                "seconds": round(min(end, inside[-1].at) - start, 1),
                "peak_tree_pss_mb": round(top.pss / 1024, 1),
                "peak_tree_anonymous_mb": round(max(s.anonymous for s in inside) / 1024, 1),
                "stage_process_pss_at_peak_mb": round(top.own / 1024, 1),
                "peak_largest_process_mb": round(max(s.largest for s in inside) / 1024, 1),
                "nodes_at_peak": sorted({node for a, b, node in nodes if a <= top.at <= b}),
                "heaviest_nodes": _heaviest_nodes(inside, nodes),
            }
        )
    return report


def _sampled(stage: str, pages: int, work: Path, samples: list[Sample]) -> tuple[dict, int]:
    """One stage in a child process, its process tree's memory sampled every half second; returns
    the stage's result and the largest single process's peak RSS in kB (ru_maxrss from wait4)."""
    process = subprocess.Popen(
        [sys.executable, __file__, f"--{stage}", str(pages), "--work", str(work)],
        stdout=subprocess.PIPE,
        text=True,
    )
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.5):
            samples.append(_tree_memory_kb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    done.set()
    sampler.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"size {pages}: {stage} failed")
    return json.loads(output.strip().splitlines()[-1]), usage.ru_maxrss


def run_size(pages: int, work: Path, measure_full_rebuild: bool, seed_dirs: tuple[Path, ...]) -> dict:
    """One size, each stage in a process of its own as in production: the first load, the nightly
    (a scheduled run is a new process), and the full rebuild when asked. Peak memory is sampled over
    each stage's whole process tree (extraction and enrichment run on a worker pool)."""
    from bench.make_corpus import generate, read_manifest

    # Made here, outside the measured process tree: the generator's heap is the harness's.
    corpus = work / f"corpus-{pages}"
    made, made_s = _timed(generate, corpus, pages, seed_dirs=seed_dirs)
    entries = read_manifest(corpus)
    cut = len(entries) - max(1, int(len(entries) * NIGHTLY_SHARE))
    _link_pages(corpus, entries[:cut], work / f"links-{pages}" / "first-load")
    _link_pages(corpus, entries[cut:], work / f"links-{pages}" / "nightly")
    gauge_pages = _decoded([corpus / e.path for e in entries[:BASELINE_SAMPLE]])
    del entries
    gauge = {"before_first_load": _speed_gauge(gauge_pages)}
    samples: list[Sample] = []
    result, first_rss = _sampled("first-load", pages, work, samples)
    gauge["after_first_load"] = _speed_gauge(gauge_pages)
    result.update(corpus_mb=round(made["bytes"] / 1e6, 1), corpus_seconds=round(made_s, 2))
    nodes = result.pop("dbt_nodes")
    # A nightly runs a day after the last build, not while the kernel still writes the first
    # load's gigabytes back to disk: that write-back slowed the nightly's own writes here.
    os.sync()
    gauge["before_nightly"] = _speed_gauge(gauge_pages)
    night, nightly_rss = _sampled("nightly", pages, work, samples)
    nodes += night.pop("dbt_nodes")
    result["nightly"] = night
    largest = max(first_rss, nightly_rss)
    first = result["first_load"]
    if measure_full_rebuild:
        gauge["before_full_rebuild"] = _speed_gauge(gauge_pages)
        full, full_rss = _sampled("full-rebuild", pages, work, samples)
        nodes += full.pop("dbt_nodes")
        largest = max(largest, full_rss)
        night["full_rebuild_models_s"] = full["dbt_models_s"]
        night["full_rebuild"] = "measured: dbt build --full-refresh + publish"
        full_seconds = full["seconds"]
    else:
        # The first build is a build from nothing of 99% of the pages: scaled to 100%, the cost of
        # a full rebuild without running one (which doubles the time of the largest size).
        full_seconds = (
            (first["dbt_build_s"] + first["publish_s"])
            * (first["pages"] + night["new_pages"])
            / first["pages"]
        )
        night["full_rebuild"] = "estimated: first build + publish, scaled to all pages"
    night["full_rebuild_seconds"] = round(full_seconds, 2)
    night["ratio_to_full_rebuild"] = round(night["seconds"] / full_seconds, 3)
    # The nightly's seconds as if the machine had run at the rebuild's speed: the gauge before a
    # measured rebuild, else the mean of the gauge before and after the first load it scales.
    rebuild_speed = gauge.get(
        "before_full_rebuild", (gauge["before_first_load"] + gauge["after_first_load"]) / 2
    )
    night["ratio_at_rebuild_speed"] = round(
        night["ratio_to_full_rebuild"] * gauge["before_nightly"] / rebuild_speed, 3
    )
    result["speed_gauge_pages_per_s"] = gauge
    result["peak_tree_pss_mb"] = round(max(s.pss for s in samples) / 1024, 1)
    result["peak_tree_rss_mb"] = round(max(s.rss for s in samples) / 1024, 1)
    result["peak_tree_anonymous_mb"] = round(max(s.anonymous for s in samples) / 1024, 1)
    result["peak_process_rss_mb"] = round(largest / 1024, 1)
    result["memory_by_phase"] = memory_by_phase(samples, work / f"phases-{pages}", nodes)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, nargs="+", default=[1000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/rnw-bench"))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--first-load", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--nightly", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--full-rebuild", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--no-full-rebuild",
        dest="measure_full_rebuild",
        action="store_false",
        help="compare the nightly run with the first build instead of running --full-refresh",
    )
    from bench.make_corpus import add_seeds_argument

    add_seeds_argument(parser)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    stages = {"first_load": first_load, "nightly": nightly_run, "full_rebuild": full_rebuild}
    stage = next((name for name in stages if getattr(args, name)), None)
    if stage is not None:
        import logging

        if stage in {"first_load", "full_rebuild"}:
            from rnw.env import use_bulk_allocator

            use_bulk_allocator()  # as `rnw run` on an empty home and `rnw build --full-refresh` do

        logging.disable(logging.WARNING)
        print(json.dumps(stages[stage](getattr(args, stage), args.work)))
        return 0
    results = [run_size(n, args.work, args.measure_full_rebuild, tuple(args.seeds)) for n in args.pages]
    for r in results:
        first, nightly, base = r["first_load"], r["nightly"], r["extraction_baseline"]
        print(
            f"== {r['pages']} pages ({r['corpus_mb']} MB): peak memory of the process tree "
            f"{r['peak_tree_pss_mb']} MB PSS ({r['peak_tree_anonymous_mb']} MB anonymous, "
            f"{r['peak_tree_rss_mb']} MB RSS summed), "
            f"largest process {r['peak_process_rss_mb']} MB"
        )
        print(f"   pages/s: {first['pages_per_s']}")
        print(f"   dbt model seconds: {first['dbt_models_s']}")
        print(
            f"   nightly (+{nightly['new_pages']} pages): {nightly['seconds']} s vs full rebuild "
            f"{nightly['full_rebuild_seconds']} s = {nightly['ratio_to_full_rebuild']:.1%} "
            f"({nightly['ratio_at_rebuild_speed']:.1%} at the rebuild's speed; speed gauge, "
            f"pages/s: {r['speed_gauge_pages_per_s']})"
        )
        print(f"   extraction vs trafilatura on {base['pages']} pages: {base}")
        for phase in r["memory_by_phase"]:
            print(
                f"   memory, {phase['phase']} ({phase['seconds']} s): {phase['peak_tree_pss_mb']} MB "
                f"tree PSS ({phase['stage_process_pss_at_peak_mb']} MB its stage process; "
                f"{phase['peak_tree_anonymous_mb']} MB anonymous at most), largest "
                f"process {phase['peak_largest_process_mb']} MB; at the peak: "
                f"{', '.join(phase['nodes_at_peak']) or '-'}"
            )
            for node in phase["heaviest_nodes"]:
                print(
                    f"      {node['node']}: {node['peak_tree_pss_mb']} MB ({node['stage_process_pss_mb']} MB)"
                )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
