"""Enrichment output must not depend on the process it runs in.

dbt's Python models run extraction and enrichment on a pool of worker processes (rnw.parallel),
and each Python process salts str hashes with its own seed, so any result that depends on the
iteration order of a set of strings would differ between workers, between a nightly run and a
full refresh, and between two runs of the same build.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from rnw.settings import REPO_ROOT

TEXT_DIRS = ("tests/fixtures/people/texts", "tests/fixtures/indicators/texts")
# Human-truth bodies of real pages; one lists several "…大学经济学院", the case that once picked
# its organisation's full name by set order.
TRUTH = REPO_ROOT / "tests" / "fixtures" / "extraction" / "truth.jsonl"
SCRIPT = """
import json, sys
from pathlib import Path
import pyarrow as pa
from rnw import enrich

texts = sorted(p for d in sys.argv[1:] for p in Path(d).glob("*.txt"))
table = pa.Table.from_pylist([
    {"article_id": p.stem, "title": None, "body_text": p.read_text(encoding="utf-8"), "published_at": None,
     "source_region_code": None, "credits_json": "[]", "sections_json": "[]"}
    for p in texts
])
regions = enrich.regions(table.to_batches())
with_regions = table
for column in ("mentions", "group_mentions", "primary_region_code"):
    with_regions = with_regions.append_column(column, regions.column(column))
out = {
    "people": enrich.people(table.to_batches()).to_pylist(),
    "topics": enrich.topics(table.to_batches()).to_pylist(),
    "regions": regions.to_pylist(),
    "indicators": enrich.indicators(with_regions.to_batches()).to_pylist(),
}
print(json.dumps(out, ensure_ascii=False, sort_keys=True, default=str))
"""


def _enrich_with_hash_seed(seed: str, texts: Path) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    dirs = [str(REPO_ROOT / d) for d in TEXT_DIRS] + [str(texts)]
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *dirs],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
    )
    return result.stdout


def test_enrichment_is_the_same_under_any_hash_seed(tmp_path: Path) -> None:
    for line in TRUTH.read_text(encoding="utf-8").splitlines():
        page = json.loads(line)
        if page["truth"].get("body"):
            (tmp_path / f"truth-{page['id']}.txt").write_text(page["truth"]["body"], encoding="utf-8")
    first = _enrich_with_hash_seed("1", tmp_path)
    assert '"organization": "' in first, "the texts must yield organisations for the check to mean anything"
    for seed in ("2", "3"):
        assert _enrich_with_hash_seed(seed, tmp_path) == first, f"output differs under PYTHONHASHSEED={seed}"
