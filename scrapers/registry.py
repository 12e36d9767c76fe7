"""The source registry: which sites and folders the pipeline reads, validated from one YAML file.

A typo in ``sources.yml`` must stop the run with a message naming the source and the key, not
silently skip a site for months, so every model forbids unknown keys.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class RegistryError(ValueError):
    """``sources.yml`` is missing, unreadable or invalid; the message names the source and key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ListingSelectors(_Strict):
    """CSS selectors for a listing page: where article links are and where the next page is."""

    article_links: str = "a"
    next_page: str | None = None


class Source(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    name: str
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    kind: Literal["files", "rss", "sitemap", "listing"]
    enabled: bool = True
    # kind == files: folders or files, relative to the registry file
    paths: list[str] = []
    # web kinds
    start_urls: list[str] = []
    base_url: str | None = None
    listing: ListingSelectors | None = None
    article_url_pattern: str | None = None
    date_pattern: str | None = None
    allowed_domains: list[str] = []
    requests_per_second: float = Field(default=1.0, gt=0, le=20)
    max_pages_per_run: int = Field(default=500, gt=0)
    revisit: Literal["never", "always", "daily", "weekly"] = "never"
    encoding: str | None = None

    @field_validator("article_url_pattern", "date_pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            re.compile(value)
        return value


class Registry(_Strict):
    sources: list[Source]

    @field_validator("sources")
    @classmethod
    def _unique_ids(cls, sources: list[Source]) -> list[Source]:
        seen: set[str] = set()
        for source in sources:
            if source.id in seen:
                raise ValueError(f"duplicate source id {source.id!r}")
            seen.add(source.id)
        return sources

    def get(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise RegistryError(f"unknown source {source_id!r}")


def load_registry(path: Path) -> Registry:
    """Load and validate ``sources.yml``; file paths of ``files`` sources become absolute."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RegistryError(f"sources file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: not valid YAML: {exc}") from exc
    try:
        registry = Registry.model_validate(data)
    except ValidationError as exc:
        raise RegistryError(f"{path}: {_describe(exc, data)}") from exc
    base = path.resolve().parent
    resolved = [
        s.model_copy(update={"paths": [str((base / p).resolve()) for p in s.paths]}) for s in registry.sources
    ]
    return Registry(sources=resolved)


def _describe(exc: ValidationError, data: object) -> str:
    """Turn pydantic's location tuples into 'source X: key: problem' lines."""
    lines = []
    for error in exc.errors():
        loc = list(error["loc"])
        where = ".".join(str(p) for p in loc)
        if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int) and isinstance(data, dict):
            try:
                source_id = data["sources"][loc[1]].get("id", f"#{loc[1]}")
            except (AttributeError, IndexError, KeyError, TypeError):
                source_id = f"#{loc[1]}"
            key = ".".join(str(p) for p in loc[2:]) or "(entry)"
            where = f"source {source_id!r}: key {key!r}"
        lines.append(f"{where}: {error['msg']}")
    return "; ".join(lines)
