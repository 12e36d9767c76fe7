"""Decide a page's real encoding from its bytes.

Declared charsets (HTTP header, ``<meta charset>``) lie often on Chinese sites: pages declare
``gb2312`` but are UTF-8, or declare nothing and are GBK. So the bytes decide; a declaration only
breaks ties between candidates that decode equally well.

Strict UTF-8 almost never succeeds on anything else, so it goes first. GBK/GB18030 and Big5 are
harder: almost any double-byte text decodes without error in both. The right one is the decoding
whose Han characters are common characters (GB2312 level 1 or Big5's frequent block): measured on
corpus pages, the right decoding scores above 0.99, the wrong one near 0.55.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
# GB2312 and GBK are subsets of GB18030: decoding with the superset never loses characters.
_CANONICAL = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "gb18030": "gb18030",
    "utf_8": "utf-8",
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "big5": "big5",
    "big5hkscs": "big5",
    "cp950": "big5",
    "ascii": "utf-8",
}


class DecodeError(ValueError):
    """The bytes are not text in any encoding we accept (binary file, random bytes)."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    declared_charset: str | None


def charset_from_content_type(content_type: str) -> str | None:
    """The ``charset=`` parameter of a Content-Type header value, if any."""
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def declared_charset(raw: bytes, http_charset: str | None = None) -> str | None:
    """The charset the page claims: the HTTP header wins over the first ``<meta>`` in the head."""
    if http_charset:
        return http_charset.strip().lower()
    match = _META_CHARSET.search(raw[:4096])
    return match.group(1).decode("ascii", "replace").lower() if match else None


def canonical_encoding(name: str) -> str:
    key = name.lower().replace("-", "_")
    return _CANONICAL.get(key, _CANONICAL.get(name.lower(), name.lower()))


def _common_characters() -> frozenset[str]:
    """GB2312 level-1 hanzi (the 3,755 most used simplified characters) and Big5's frequent block
    (5,401 traditional characters): together, the characters real Chinese text is mostly made of."""
    chars: set[str] = set()
    for first, seconds, codec in (
        (range(0xB0, 0xD8), range(0xA1, 0xFF), "gb2312"),
        (range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)], "big5"),
    ):
        for b1 in first:
            for b2 in seconds:
                try:
                    chars.add(bytes((b1, b2)).decode(codec))
                except UnicodeDecodeError:
                    continue
    return frozenset(chars)


_COMMON = _common_characters()
# Per UTF-16 code unit: 1 for a Han character (U+4E00..U+9FFF), 2 if it is also a common one.
# Counting through this table is a vectorised pass instead of a Python loop over 30,000 characters.
_HAN_CLASS = np.zeros(0x10000, dtype=np.uint8)
_HAN_CLASS[0x4E00:0xA000] = 1
_HAN_CLASS[[ord(ch) for ch in _COMMON if "\u4e00" <= ch <= "\u9fff"]] = 2
_SAMPLE_CHARS = 30000
# Below this many Han characters the common-character test says nothing.
_MIN_HAN = 20
# A candidate decoding may replace at most this share of its Han characters (truncated pages).
_MAX_ERROR_SHARE = 0.01


def _fit(text: str) -> float | None:
    """How much ``text`` looks like real Chinese: share of common Han characters, minus errors."""
    sample = text[:_SAMPLE_CHARS]
    # Characters outside the BMP become surrogate code units, which are not Han.
    units = np.frombuffer(sample.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    counts = np.bincount(_HAN_CLASS[units], minlength=3)
    han = int(counts[1] + counts[2])
    if han < _MIN_HAN:
        return None
    errors = sample.count("\ufffd") / han
    if errors > _MAX_ERROR_SHARE:
        return None
    return int(counts[2]) / han - errors


def decode_bytes(raw: bytes, http_charset: str | None = None) -> Decoded:
    """Decode ``raw`` by what the bytes are, not by what they claim.

    Strict UTF-8 first; then UTF-8, GB18030 and Big5 compete on how Chinese the text looks (a few
    undecodable bytes allowed, as truncated pages have); charset-normalizer for anything else.
    Raises DecodeError for binary input.
    """
    declared = declared_charset(raw, http_charset)
    if not raw.strip():
        raise DecodeError("empty")
    if b"\x00" in raw[:8192] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DecodeError("binary content (NUL bytes)")
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        return Decoded(_check_text(body.decode("utf-8")), "utf-8", declared)
    except UnicodeDecodeError:
        pass
    preferred = canonical_encoding(declared) if declared else None
    scored = []
    for encoding in ("gb18030", "big5", "utf-8"):
        text = body.decode(encoding, errors="replace")
        fit = _fit(text)
        if fit is not None:
            scored.append((fit, encoding == preferred, encoding, text))
    if scored:
        _, _, encoding, text = max(scored, key=lambda item: (round(item[0], 2), item[1]))
        return Decoded(_check_text(text), encoding, declared)
    best = from_bytes(body).best()
    if best is None:
        raise DecodeError("no text encoding fits the bytes")
    return Decoded(_check_text(str(best)), canonical_encoding(best.encoding), declared)


# [\x00-\x08\x0b\x0e-\x1f]; in UTF-8 these bytes only ever stand for themselves.
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, *range(0x0E, 0x20)])


def _check_text(text: str) -> str:
    """Reject decodes that are mostly control characters: binary data that happens to decode."""
    sample = text[:20000]
    encoded = sample.encode("utf-8", "surrogatepass")
    controls = len(encoded) - len(encoded.translate(None, _CONTROL_BYTES))
    if sample and controls / len(sample) > 0.05:
        raise DecodeError(f"binary content ({controls} control characters in {len(sample)})")
    return text
