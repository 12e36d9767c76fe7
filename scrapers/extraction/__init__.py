"""HTML page -> clean article(s): body paragraphs without page furniture, plus title, subtitle,
authors, publication time, site name, sections and trailing links.

``extract_html`` is the one entry point; it takes HTML already decoded by
``scrapers.encoding.decode_bytes`` and returns one ``ExtractedArticle`` per article on the page
(an empty list for index and error pages).
"""

from __future__ import annotations

from scrapers.extraction.pipeline import EXTRACTOR_VERSION, extract_html

__all__ = ["EXTRACTOR_VERSION", "extract_html"]
