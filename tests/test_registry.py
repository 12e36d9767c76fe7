from __future__ import annotations

from pathlib import Path

import pytest

from rnw.settings import REPO_ROOT
from scrapers.registry import RegistryError, load_registry


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_registry_is_valid_and_paths_exist() -> None:
    registry = load_registry(REPO_ROOT / "sources.yml")
    files = [s for s in registry.sources if s.kind == "files" and s.enabled]
    assert files, "the default registry must read the bundled examples"
    for source in files:
        assert all(Path(p).exists() for p in source.paths)


def test_unknown_key_names_source_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, "sources:\n  - id: tj\n    name: T\n    kind: files\n    pathz: [x]\n")
    with pytest.raises(RegistryError, match=r"source 'tj': key 'pathz'"):
        load_registry(path)


def test_bad_value_names_source_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, "sources:\n  - id: tj\n    name: T\n    kind: ftp\n")
    with pytest.raises(RegistryError, match=r"source 'tj': key 'kind'"):
        load_registry(path)


def test_duplicate_ids_and_missing_file(tmp_path: Path) -> None:
    entry = "  - id: a\n    name: A\n    kind: files\n"
    with pytest.raises(RegistryError, match="duplicate source id 'a'"):
        load_registry(write(tmp_path, "sources:\n" + entry + entry))
    with pytest.raises(RegistryError, match="not found"):
        load_registry(tmp_path / "missing.yml")
