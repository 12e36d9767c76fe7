"""Typed, cached views of the indicator seed CSVs (the same files dbt loads into the warehouse)."""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rnw.indicators.config import SEED_DIR


@dataclass(frozen=True)
class UnitSpec:
    unit: str
    dimension: str
    normalized_unit: str
    factor: float


@dataclass(frozen=True)
class PlausibilityRule:
    rule_id: str
    indicator_pattern: str
    dimension: str
    change_kind: str
    min_value: float | None
    max_value: float | None


def _rows(name: str, seed_dir: Path = SEED_DIR) -> list[dict[str, str]]:
    with (seed_dir / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _optional_float(text: str) -> float | None:
    return float(text) if text.strip() else None


@cache
def units() -> dict[str, UnitSpec]:
    return {
        row["unit"]: UnitSpec(row["unit"], row["dimension"], row["normalized_unit"], float(row["factor"]))
        for row in _rows("units.csv")
    }


@cache
def magnitudes() -> dict[str, float]:
    return {row["magnitude"]: float(row["factor"]) for row in _rows("magnitudes.csv")}


@cache
def relative_years() -> dict[str, int]:
    return {row["word"]: int(row["year_offset"]) for row in _rows("relative_years.csv")}


@cache
def change_cues() -> dict[str, str]:
    return {row["cue"]: row["change_kind"] for row in _rows("change_cues.csv")}


@cache
def plausibility_rules() -> tuple[PlausibilityRule, ...]:
    return tuple(
        PlausibilityRule(
            row["rule_id"],
            row["indicator_pattern"],
            row["dimension"],
            row["change_kind"],
            _optional_float(row["min_value"]),
            _optional_float(row["max_value"]),
        )
        for row in _rows("plausibility.csv")
    )


@cache
def scope_words() -> dict[str, str]:
    return {row["word"]: row["scope"] for row in _rows("scope_words.csv")}


@cache
def organisation_suffixes() -> tuple[str, ...]:
    """Endings of organisation names (有限公司, 集团)."""
    return tuple(row["pattern"] for row in _rows("organisations.csv") if row["kind"] == "suffix")
