"""The dbt documentation site for analysts: every model, column description and lineage, offline.

``dbt docs serve`` needs a running server; analysts want a file they can open or mail. So this
runs ``dbt docs generate --static --no-compile`` against the last build (its compiled SQL is
already in the build's manifest; compiling again would double the time) and copies its outputs to one folder:
``static_index.html`` (manifest and catalog inlined: opens from disk with no server and no network),
plus ``index.html``, ``manifest.json`` and ``catalog.json`` for tools that read the artifacts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from rnw.build import BuildError, run_dbt
from rnw.settings import Settings

DOCS_FILES = ("static_index.html", "index.html", "manifest.json", "catalog.json")


def build_docs(settings: Settings, out: Path | None = None) -> Path:
    """Generate the docs into ``out`` (default ``$RNW_HOME/docs``); returns the static page to open.

    The catalog (column types and comments) is read from ``build.duckdb`` and the compiled SQL from
    the last build's manifest, so a build must exist.
    """
    target = settings.dbt_target_dir
    if not (settings.build_db.exists() and (target / "manifest.json").exists()):
        raise BuildError(f"no build in {settings.home_dir}: run `rnw run` or `rnw build` first")
    summary = run_dbt(settings, "docs generate", ["--static", "--no-compile"])
    if not summary.success:
        raise BuildError("dbt docs generate failed: see " + str(settings.home_dir / "logs" / "dbt.log"))
    folder = (out or settings.home_dir / "docs").expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for name in DOCS_FILES:
        shutil.copy2(target / name, folder / name)
    return folder / "static_index.html"
