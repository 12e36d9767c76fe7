"""One call per article: quantities found, then named, attributed and checked."""

from collections.abc import Sequence
from datetime import date

from rnw.indicators import config
from rnw.indicators.attribution import (
    Span,
    enclosing,
    pick_period,
    pick_region,
    respective_regions,
    with_scope_words,
    without_organisations,
)
from rnw.indicators.observation import Observation
from rnw.indicators.periods import find_periods
from rnw.indicators.phrase import change_kind, indicator_phrase
from rnw.indicators.plausibility import quality_flag
from rnw.indicators.scanner import Quantity, find_quantities


def _is_time_frame(text: str, quantity: Quantity) -> bool:
    """ "8年来", "过去十年间": a duration that frames the statements around it rather than measuring a thing
    of a place; it takes region and period from its own clause only."""
    if quantity.dimension not in config.DURATION_DIMENSIONS:
        return False
    return text.startswith(config.TIME_FRAME_SUFFIXES, quantity.char_end)


def extract_observations(
    text: str,
    *,
    published: date | None,
    region_mentions: Sequence[tuple[int, int, str | None]] = (),
    primary_region: str | None = None,
) -> list[Observation]:
    """Numeric statements of one article in reading order.

    region_mentions are (char_start, char_end, region_code) of explicit regions in text; a code of None
    marks a place that is no single region (京津冀, 长三角) and keeps the primary region off statements
    about it. primary_region is the article's own region, used where a sentence names none. published
    resolves 去年/今年.
    """
    periods = find_periods(text, published)
    period_mentions = [(p.char_start, p.char_end, p) for p in periods]
    removable = [(start, end) for start, end, _ in region_mentions] + [
        (p.char_start, p.char_end) for p in periods
    ]
    region_mentions = with_scope_words(text, without_organisations(text, region_mentions), primary_region)
    quantities = find_quantities(text)
    spans = [Span(q.char_start, q.char_end) for q in quantities]
    respective = respective_regions(text, spans, region_mentions)
    observations = []
    for quantity, span in zip(quantities, spans, strict=True):
        frame = _is_time_frame(text, quantity)
        period = pick_period(text, span, period_mentions, clause_only=frame)
        period_year = period.year if period else None
        indicator = indicator_phrase(text, quantity, removable)
        is_future = bool(published and period_year and period_year > published.year)
        kind = change_kind(text, quantity, is_future)
        sentence = enclosing(text, span.start, span.end, config.SENTENCE_END)
        observations.append(
            Observation(
                indicator=indicator,
                value=quantity.value,
                value_high=quantity.value_high,
                value_text=quantity.value_text,
                unit=quantity.unit,
                normalized_value=quantity.normalized_value,
                normalized_unit=quantity.normalized_unit,
                dimension=quantity.dimension,
                change_kind=kind,
                period_year=period_year,
                period_label=period.label if period else None,
                region_code=pick_region(
                    text, span, region_mentions, primary_region, respective, clause_only=frame
                ),
                sentence=text[sentence.start : sentence.end].strip(),
                char_start=quantity.char_start,
                char_end=quantity.char_end,
                quality_flag=quality_flag(indicator, quantity.dimension, kind, quantity.normalized_value),
            )
        )
    return observations
