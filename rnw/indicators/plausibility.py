"""Flag values that cannot be true instead of dropping them: the warehouse keeps what the article said."""

import re

from rnw.indicators import config, seeds


def quality_flag(indicator: str, dimension: str, change_kind: str, normalized_value: float) -> str | None:
    """None, 'implausible_value', or 'unit_typo_suspected' when a metric rescale makes it plausible."""
    for rule in seeds.plausibility_rules():
        if rule.dimension != dimension or rule.change_kind and rule.change_kind != change_kind:
            continue
        if rule.indicator_pattern and not re.search(rule.indicator_pattern, indicator):
            continue
        if _within(normalized_value, rule.min_value, rule.max_value):
            continue
        if dimension in config.UNIT_TYPO_DIMENSIONS and any(
            _within(normalized_value * k, rule.min_value, rule.max_value) for k in config.UNIT_TYPO_RESCALES
        ):
            return "unit_typo_suspected"
        return "implausible_value"
    return None


def _within(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)
