"""Load the region seeds into lookup structures for matching and hierarchy questions.

The seeds are the single source of truth (dbt loads the same CSVs), so the matcher can never know a
name that the warehouse does not.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from rnw.regions.config import (
    GROUP_MEMBERS_SEED,
    GROUPS_SEED,
    REGIONS_SEED,
    STOPLIST_SEED,
    VERSIONS_SEED,
)


@dataclass(frozen=True)
class RegionVersion:
    """One (code, name, period) row: the unit a written name refers to."""

    version_id: str
    region_code: str
    name: str
    short_name: str
    aliases: tuple[str, ...]
    level: str
    parent_code: str
    province_code: str
    valid_from: int
    valid_to: int | None
    status: str
    successor_codes: tuple[str, ...]

    def valid_in(self, year: int) -> bool:
        """Both ends inclusive: the source gives years only, and a name is still written in its last year."""
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)


@dataclass(frozen=True)
class Region:
    region_code: str
    name: str
    level: str
    parent_code: str
    province_code: str


@dataclass(frozen=True)
class RegionGroup:
    group_id: str
    name: str
    aliases: tuple[str, ...]
    member_codes: tuple[str, ...]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _split(value: str) -> tuple[str, ...]:
    return tuple(part for part in value.split("|") if part)


def load_versions(path: Path = VERSIONS_SEED) -> list[RegionVersion]:
    return [
        RegionVersion(
            version_id=row["version_id"],
            region_code=row["region_code"],
            name=row["name"],
            short_name=row["short_name"],
            aliases=_split(row["aliases"]),
            level=row["level"],
            parent_code=row["parent_code"],
            province_code=row["province_code"],
            valid_from=int(row["valid_from"]),
            valid_to=int(row["valid_to"]) if row["valid_to"] else None,
            status=row["status"],
            successor_codes=_split(row["successor_codes"]),
        )
        for row in _read(path)
    ]


def load_regions(path: Path = REGIONS_SEED) -> dict[str, Region]:
    return {
        row["region_code"]: Region(
            region_code=row["region_code"],
            name=row["name"],
            level=row["level"],
            parent_code=row["parent_code"],
            province_code=row["province_code"],
        )
        for row in _read(path)
    }


def load_stoplist(path: Path = STOPLIST_SEED) -> frozenset[str]:
    return frozenset(row["surface"] for row in _read(path))


def load_groups(
    groups_path: Path = GROUPS_SEED, members_path: Path = GROUP_MEMBERS_SEED
) -> list[RegionGroup]:
    members: dict[str, list[str]] = {}
    for row in _read(members_path):
        members.setdefault(row["group_id"], []).append(row["region_code"])
    return [
        RegionGroup(
            group_id=row["group_id"],
            name=row["name"],
            aliases=_split(row["aliases"]),
            member_codes=tuple(members.get(row["group_id"], [])),
        )
        for row in _read(groups_path)
    ]


class Hierarchy:
    """Ancestor questions over the collapsed one-row-per-code table."""

    def __init__(self, regions: dict[str, Region]) -> None:
        self._regions = regions
        self._ancestors = {code: self._walk_up(code) for code in regions}

    def _walk_up(self, code: str) -> tuple[str, ...]:
        """Parent, grandparent, ... (nearest first); a cycle guard because codes are reused over time."""
        found: list[str] = []
        current = self._regions.get(code)
        while current is not None and current.parent_code and current.parent_code not in found:
            found.append(current.parent_code)
            current = self._regions.get(current.parent_code)
        return tuple(found)

    def ancestors(self, code: str) -> tuple[str, ...]:
        return self._ancestors.get(code, ())

    def is_within(self, code: str, ancestor: str) -> bool:
        return code == ancestor or ancestor in self.ancestors(code)

    def province_of(self, code: str) -> str | None:
        region = self._regions.get(code)
        return region.province_code if region is not None else None

    def level_of(self, code: str) -> str | None:
        region = self._regions.get(code)
        return region.level if region is not None else None
