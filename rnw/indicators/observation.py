"""The record one numeric statement of an article becomes."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Observation:
    """One numeric statement. value/value_text/unit are as written (after numeral conversion: 十八 -> 18.0);
    normalized_value is in normalized_unit (see units.csv); char_start/char_end slice the article text to
    exactly the number and unit as written; quality_flag is None, 'implausible_value' or
    'unit_typo_suspected' (plausibility.csv)."""

    indicator: str
    value: float
    value_high: float | None  # upper bound of a range ("30—40微克/立方米"), else None
    value_text: str
    unit: str
    normalized_value: float
    normalized_unit: str
    dimension: str
    change_kind: str  # one of rnw.indicators.phrase.CHANGE_KINDS
    period_year: int | None
    period_label: str | None
    region_code: str | None
    sentence: str
    char_start: int
    char_end: int
    quality_flag: str | None
