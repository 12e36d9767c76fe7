"""The bench scripts run end to end on a small corpus and report what bench/RESULTS.md quotes.

They broke unseen before: ``bench/nightly_cost.py`` passed a manifest where ``_ingest`` takes files
by source from b6d8336 until the twenty-first session found it (bench/RESULTS.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = 200


def _bench(script: str, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, f"bench/{script}", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.slow
def test_pipeline_bench_measures_every_stage_and_nightly_cost_puts_the_home_back(tmp_path: Path) -> None:
    out = tmp_path / "pipeline.json"
    _bench(
        "pipeline.py", "--pages", str(PAGES), "--no-full-rebuild", "--work", str(tmp_path), "--json", str(out)
    )
    (result,) = json.loads(out.read_text(encoding="utf-8"))

    first, nightly = result["first_load"], result["nightly"]
    assert first["pages"] + nightly["new_pages"] == PAGES and nightly["new_pages"] >= 1
    assert all(speed > 0 for speed in first["pages_per_s"].values())
    # Memory is sampled every 0.5 s: a phase shorter than that may have no sample, but no build does.
    phases = [p["phase"] for p in result["memory_by_phase"]]
    assert (
        {"first load: dbt build", "nightly: dbt build"}
        <= set(phases)
        <= {
            "first load: ingest",
            "first load: dbt build",
            "first load: publish",
            "extraction baseline",
            "nightly: ingest",
            "nightly: dbt build",
            "nightly: publish",
        }
    )
    assert result["peak_tree_pss_mb"] == max(p["peak_tree_pss_mb"] for p in result["memory_by_phase"])
    anonymous = result["peak_tree_anonymous_mb"]
    assert anonymous == max(p["peak_tree_anonymous_mb"] for p in result["memory_by_phase"])
    assert 0 < anonymous < result["peak_tree_pss_mb"], "the data, without the mapped code"
    build = next(p for p in result["memory_by_phase"] if p["phase"] == "first load: dbt build")
    heaviest = [n["peak_tree_pss_mb"] for n in build["heaviest_nodes"]]
    assert (
        heaviest and heaviest == sorted(heaviest, reverse=True) and heaviest[0] <= build["peak_tree_pss_mb"]
    )
    # The phase's peak falls while one of its heaviest nodes ran, unless between two nodes.
    assert not build["nodes_at_peak"] or heaviest[0] == build["peak_tree_pss_mb"]
    assert 0 < result["extraction_baseline"]["ratio"]

    gauge = result["speed_gauge_pages_per_s"]
    assert set(gauge) == {"before_first_load", "after_first_load", "before_nightly"}
    assert all(speed > 0 for speed in gauge.values())
    first_speed = (gauge["before_first_load"] + gauge["after_first_load"]) / 2
    expected = nightly["ratio_to_full_rebuild"] * gauge["before_nightly"] / first_speed
    assert nightly["ratio_at_rebuild_speed"] == pytest.approx(expected, abs=0.001)

    home = tmp_path / f"home-{PAGES}"
    with duckdb.connect(str(home / "raw.duckdb"), read_only=True) as con:
        uris = [uri for (uri,) in con.execute("SELECT uri FROM page_sightings").fetchall()]
    corpus = (tmp_path / f"corpus-{PAGES}").as_uri() + "/"
    assert len(uris) == PAGES and all(uri.startswith(corpus) for uri in uris), "read through the links"
    warehouse = (home / "warehouse.duckdb").read_bytes()
    costs = tmp_path / "nightly_cost.json"
    _bench("nightly_cost.py", "--home", str(home), "--new", "0", "3", "--repeat", "1", "--json", str(costs))
    runs = json.loads(costs.read_text(encoding="utf-8"))["runs"]
    assert [r["new_pages"] for r in runs] == [0, 3]
    assert all(r["seconds"] >= r["dbt_build_s"] > 0 for r in runs)
    # Every nightly played on a copy: the bench's home is as it was.
    assert (home / "warehouse.duckdb").read_bytes() == warehouse
    assert not home.with_name(home.name + ".original").exists()
