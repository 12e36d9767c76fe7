"""Numeric indicators from Chinese news prose: numbers with units, attributed to a region and a year."""

from rnw.indicators.config import INDICATOR_EXTRACTOR_VERSION
from rnw.indicators.extract import extract_observations
from rnw.indicators.observation import Observation
from rnw.indicators.phrase import CHANGE_KINDS

__all__ = ["CHANGE_KINDS", "INDICATOR_EXTRACTOR_VERSION", "Observation", "extract_observations"]
