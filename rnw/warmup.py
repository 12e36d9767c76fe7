"""Load, ahead of need, what the pipeline's Python loads on first use.

The extractor, MinHash (datasketch imports scipy), the enrichers, the region gazetteer and the
segmenter's dictionary all load on first use: about 1.3 s of CPU and 1.4 s of imports. A first load
pays that once in hours; a nightly run of 1,000 new pages paid it on its critical path, model after
model (``int_body_signatures`` took 5.6 s, of which about 1.3 s was hashing), while a core stood
idle for much of the run. The worker pool's fork server loads all of it before it forks a worker
(``rnw.pool_preload``); a dbt build imports the models' modules on a thread while dbt starts
(``rnw.build``), and a build without workers (``RNW_WORKERS=1``) loads all of the above there too.
Results are the same either way.

Imports on two threads of one process can fail: Python does not wait for a package that another
thread is still initialising before it looks for a submodule (``six.moves`` while ``six`` loads),
so nothing warms up beside a worker's tasks. The dbt process does, on its thread: dbt has imported
``six`` before the thread starts.
"""

from __future__ import annotations

import ast
import importlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rnw.settings import Settings

log = logging.getLogger(__name__)

# A short article that makes every enricher load what it needs (a region, a quantity, a credit).
_SAMPLE = "天津市PM2.5年均浓度降至39微克/立方米。（记者 陈璇）"


def quietly(target: Callable[[], object]) -> None:
    """Run ``target``; warming up is an optimisation and must never fail a process (a failing
    worker initializer breaks the whole pool). A task that needs the same thing loads it in the
    usual way and reports any real failure."""
    try:
        target()
    except Exception:
        log.debug("warm-up failed", exc_info=True)


def in_background(target: Callable[[], object]) -> threading.Thread:
    """Run ``target`` quietly on a daemon thread, which never holds a process open."""
    thread = threading.Thread(target=quietly, args=(target,), name="rnw-warm-up", daemon=True)
    thread.start()
    return thread


def model_modules(models_dir: Path) -> list[str]:
    """The ``rnw`` modules that the dbt Python models under ``models_dir`` import, read from their
    source: a list kept by hand had fallen behind the models (``rnw.indicators`` was missing)."""
    modules: set[str] = set()
    for path in models_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module)
            elif isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
    return sorted(m for m in modules if m == "rnw" or m.startswith("rnw."))


def import_model_modules() -> None:
    """Import what the dbt process's Python models import (a build runs this on a thread while dbt
    starts)."""
    for module in model_modules(Settings().dbt_project_dir / "models"):
        importlib.import_module(module)


def _sample_article() -> dict[str, list]:
    return {
        "article_id": ["warm-up"],
        "title": ["天津"],
        "body_text": [_SAMPLE],
        "published_at": [datetime(2024, 1, 1, tzinfo=UTC)],
        "source_region_code": [None],
        "credits_json": [None],
        "sections_json": [None],
    }


def warm_dbt_process() -> None:
    """What a build whose models run in the dbt process (no workers) does on the thread that
    imports their modules while dbt starts: the models' modules, then extraction, MinHash and the
    enrichers, which the pool's fork server loads before forking and which, loaded on first use,
    sat on a nightly's critical path (its dbt build 26.3 s against 23.8, medians of 7 at 100k
    pages; bench/RESULTS.md, thirty-fifth session)."""
    import_model_modules()
    warm_articles()
    warm_enrichers()


def warm_articles() -> None:
    """Run extraction and MinHash, the first models' batch functions, on one sample page."""
    import pyarrow as pa

    from rnw.articles import extract_pages
    from rnw.neardup import signature_batches

    page = {"page_id": ["warm-up"], "page_text": [_SAMPLE], "content_type": ["text/plain"], "uri": [None]}
    extract_pages([pa.record_batch(page)])
    signature_batches([pa.record_batch({"body_hash": ["warm-up"], "body_text": [_SAMPLE]})])


def warm_enrichers() -> None:
    """Run each enricher on one sample article."""
    import pyarrow as pa

    from rnw.enrich import indicators, people, regions, topics

    sample = _sample_article()
    article = pa.RecordBatch.from_pydict(sample)
    found = regions([article]).to_pylist()[0]
    people([article])
    topics([article])
    indicators(
        [
            pa.RecordBatch.from_pylist(
                [
                    {
                        "article_id": "warm-up",
                        "body_text": _SAMPLE,
                        "published_at": sample["published_at"][0],
                        "mentions": found["mentions"],
                        "group_mentions": found["group_mentions"],
                        "primary_region_code": found["primary_region_code"],
                    }
                ]
            )
        ]
    )
