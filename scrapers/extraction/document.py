"""Parse decoded HTML into an lxml tree, unwrapping the CleanEval envelope of old corpus pages.

Old pages from the CleanEval-style datasets are stored as ``<text id="URL" title="..." encoding="...">``
around the real page; the ``id`` is the page's original URL and is the best canonical URL we have.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

_CLEANEVAL = re.compile(r"^\s*<text\s+([^>]*)>", re.IGNORECASE)
_CLEANEVAL_CLOSE = re.compile(r"</text>\s*$", re.IGNORECASE)
_ATTR = re.compile(r"""(\w+)\s*=\s*"([^"]*)\"""")
# huge_tree lifts libxml2's nesting limit: pages with thousands of unclosed <font>/<div> tags
# would otherwise lose everything below depth 256.
_PARSER = lxml.html.HTMLParser(huge_tree=True)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# lxml refuses text with these characters ("All strings must be XML compatible") deep inside
# tree edits; real pages carry stray ones (a \x1f after a script), so they go before parsing.
_XML_INCOMPATIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Envelope:
    url: str | None
    title: str | None


def unwrap_cleaneval(html: str) -> tuple[str, Envelope | None]:
    """The page inside a CleanEval ``<text>`` wrapper and the wrapper's URL and title."""
    match = _CLEANEVAL.match(html)
    if not match:
        return html, None
    attrs = {k.lower(): html_lib.unescape(v).strip() for k, v in _ATTR.findall(match.group(1))}
    if "id" not in attrs:
        return html, None
    inner = _CLEANEVAL_CLOSE.sub("", html[match.end() :])
    return inner, Envelope(url=attrs.get("id") or None, title=attrs.get("title") or None)


def parse_html(html: str) -> etree._Element:
    """A forgiving parse: lxml refuses str input that carries an XML encoding declaration."""
    html = _XML_INCOMPATIBLE.sub("", _XML_DECLARATION.sub("", html, count=1))
    if not html.strip():
        html = "<html></html>"
    try:
        return lxml.html.document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html><body>" + html + "</body></html>", parser=_PARSER)
