"""What a nightly costs on an existing warehouse: N new pages, or none, into a copy of a bench home.

bench/pipeline.py leaves its homes behind (``WORK/home-SIZE``). This puts a copy in its place, ingests
the first N pages of a second corpus (made from the same real pages with another seed), builds and
publishes in a new process, as a scheduled run does, measures each stage, and puts the original
back; every repeat starts from a fresh copy, so the spread between repeats is the machine's noise. ``--new 0`` is a nightly that brings
nothing: what the warehouse's size alone costs.

    .venv/bin/python bench/nightly_cost.py --home /tmp/rnw-bench/home-100000 --new 0 1000 --repeat 2
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def play(home: Path, corpus: Path, new: int) -> dict:
    """One nightly on ``home`` (a copy): ingest ``new`` pages of ``corpus``, build, publish."""
    from bench.make_corpus import read_manifest
    from bench.pipeline import _files_by_source, _ingest, _timed
    from rnw.build import run_dbt
    from rnw.publish import publish
    from rnw.rawstore import RawStore
    from rnw.settings import Settings

    settings = Settings(home=home)
    settings.export_env()
    ingest_s = 0.0
    if new:  # with --new 0 alone, no corpus was made
        ingest_s = _ingest(RawStore(settings.raw_db), _files_by_source(read_manifest(corpus)[:new], corpus))
    build, build_s = _timed(run_dbt, settings, "build", ["--quiet"])
    assert build.success, build.failures
    _, publish_s = _timed(publish, settings)
    return {
        "new_pages": new,
        "seconds": round(ingest_s + build_s + publish_s, 2),
        "ingest_s": round(ingest_s, 2),
        "dbt_build_s": round(build_s, 2),
        "publish_s": round(publish_s, 2),
        "allocator": build.allocator,
    }


def measure(home: Path, corpus: Path, new: int) -> dict:
    """One nightly on a fresh copy of ``home`` at ``home``'s own path: dbt's partial parse is
    keyed on the profile, whose paths follow the home, and elsewhere a full parse would add
    some 2.5 s that no real nightly pays. The original waits beside it and is put back after."""
    kept = home.with_name(home.name + ".original")
    if kept.exists():  # an earlier measurement was killed before it put the original back
        shutil.rmtree(home, ignore_errors=True)
        kept.rename(home)
    home.rename(kept)
    try:
        subprocess.run(["cp", "-r", str(kept), str(home)], check=True)
        os.sync()  # the copy's write-back would slow the nightly's own writes
        played = subprocess.run(
            [sys.executable, __file__, "--play", str(home), "--corpus", str(corpus), "--new", str(new)],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)
        kept.rename(home)
    return json.loads(played.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="a home bench/pipeline.py built (WORK/home-SIZE)")
    parser.add_argument("--new", type=int, nargs="+", default=[0, 1000], help="new pages per nightly")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=11, help="of the new pages' corpus (the bench's is 7)")
    parser.add_argument("--work", type=Path, help="for the new pages' corpus; default: beside the home")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--play", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.play:
        print(json.dumps(play(args.play, args.corpus, args.new[0])))
        return 0
    if args.home is None or not (args.home / "build.duckdb").exists():
        parser.error("--home must be a home with a build (run bench/pipeline.py first)")
    from bench.make_corpus import generate

    work = args.work or args.home.parent
    corpus = work / f"nightly-pages-{max(args.new)}-seed{args.seed}"
    if max(args.new):
        generate(corpus, max(args.new), seed=args.seed)
    results = [measure(args.home.resolve(), corpus, n) for n in args.new for _ in range(args.repeat)]
    for r in results:
        print(
            f"{r['new_pages']:6d} new pages: {r['seconds']:6.2f} s (ingest {r['ingest_s']}, dbt "
            f"{r['dbt_build_s']}, publish {r['publish_s']})"
        )
    if args.json:
        args.json.write_text(json.dumps({"home": str(args.home), "runs": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
