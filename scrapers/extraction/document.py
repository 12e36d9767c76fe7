"""Parse decoded HTML into an lxml tree, unwrapping the CleanEval envelope of old corpus pages.

Old pages from the CleanEval-style datasets are stored as ``<text id="URL" title="..." encoding="...">``
around the real page; the ``id`` is the page's original URL and is the best canonical URL we have.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

import numpy as np
from lxml import etree

_CLEANEVAL = re.compile(r"^\s*<text\s+([^>]*)>", re.IGNORECASE)
_CLEANEVAL_CLOSE = re.compile(r"</text>\s*$", re.IGNORECASE)
_ATTR = re.compile(r"""(\w+)\s*=\s*"([^"]*)\"""")
# huge_tree lifts libxml2's nesting limit: pages with thousands of unclosed <font>/<div> tags
# would otherwise lose everything below depth 256. A plain etree parser builds the same tree as
# lxml.html's, but its elements need no Python class lookup, which made walking the tree slow.
_PARSER = etree.HTMLParser(huge_tree=True)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# lxml refuses text with these characters ("All strings must be XML compatible") deep inside
# tree edits; real pages carry stray ones (a \x1f after a script), so they go before parsing.
_XML_INCOMPATIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The same characters as UTF-16 code units (astral characters become surrogates, never in it).
# Pages rarely hold any, and a vectorised test is several times cheaper than the regex scan of
# a 100,000-character page.
_XML_INCOMPATIBLE_UNITS = np.zeros(0x10000, dtype=bool)
_XML_INCOMPATIBLE_UNITS[[*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]] = True


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
    html = _XML_DECLARATION.sub("", html, count=1)
    if _has_xml_incompatible(html):
        html = _XML_INCOMPATIBLE.sub("", html)
    if not html.strip():
        html = "<html></html>"
    try:
        return _document_fromstring(html)
    except (etree.ParserError, ValueError):
        return _document_fromstring("<html><body>" + html + "</body></html>")


def _has_xml_incompatible(html: str) -> bool:
    """Whether ``_XML_INCOMPATIBLE`` would find anything in ``html``."""
    units = np.frombuffer(html.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    return bool(np.count_nonzero(_XML_INCOMPATIBLE_UNITS.take(units)))


def _document_fromstring(html: str) -> etree._Element:
    """``lxml.html.document_fromstring`` with plain elements."""
    root = etree.fromstring(html, _PARSER)
    if root is None:
        raise etree.ParserError("Document is empty")
    return root


def drop_tree(el: etree._Element) -> None:
    """Remove ``el`` and its subtree, keeping its tail (``lxml.html``'s ``drop_tree``)."""
    parent = el.getparent()
    if el.tail:
        previous = el.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + el.tail
        else:
            previous.tail = (previous.tail or "") + el.tail
    parent.remove(el)


# The text of an element and its descendants (``lxml.html``'s ``text_content``).
text_content = etree.XPath("string()", smart_strings=False)
