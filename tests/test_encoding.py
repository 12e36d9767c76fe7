"""The bytes decide a page's encoding; declarations (meta, HTTP header) only break ties."""

from __future__ import annotations

from pathlib import Path

import pytest

from scrapers.encoding import DecodeError, decode_bytes

FIXTURES = Path(__file__).parent / "fixtures" / "extraction"
GBK_PAGE = FIXTURES / "pages" / "cwced-dd593296ed4a.html"
LYING_META_PAGE = FIXTURES / "pages" / "magic_html-0a8c51d53180.html"
BIG5_PAGE = FIXTURES / "big5-built-from-magic_html-7ea8a1388e4c.html"


def test_gbk_page_declared_gb2312_decodes_as_gb18030() -> None:
    decoded = decode_bytes(GBK_PAGE.read_bytes())
    assert decoded.encoding == "gb18030"
    assert decoded.declared_charset == "gb2312"
    assert "农机专家李金泽：为农机行业搭建现代化信息平台" in decoded.text


def test_utf8_page_whose_meta_says_gb2312_decodes_as_utf8() -> None:
    decoded = decode_bytes(LYING_META_PAGE.read_bytes())
    assert decoded.declared_charset == "gb2312"
    assert decoded.encoding == "utf-8"
    assert "煮一碗好吃的腊八粥" in decoded.text


def test_http_header_claiming_big5_does_not_override_gbk_bytes() -> None:
    decoded = decode_bytes(GBK_PAGE.read_bytes(), http_charset="Big5")
    assert decoded.declared_charset == "big5"
    assert decoded.encoding == "gb18030"
    assert "伊琳" in decoded.text


def test_big5_bytes_under_a_gbk_declaration_decode_as_big5() -> None:
    decoded = decode_bytes(BIG5_PAGE.read_bytes())
    assert decoded.declared_charset == "gbk"
    assert decoded.encoding == "big5"
    assert "路透月度調查顯示，日本企業信心5月保持穩定" in decoded.text


def test_truncated_gbk_page_with_a_dangling_lead_byte_stays_gbk() -> None:
    raw = GBK_PAGE.read_bytes() + b"\xb0"
    decoded = decode_bytes(raw)
    assert decoded.encoding == "gb18030"
    assert "农机专家李金泽" in decoded.text


def test_utf8_bom_is_dropped() -> None:
    raw = b"\xef\xbb\xbf" + LYING_META_PAGE.read_bytes()
    decoded = decode_bytes(raw)
    assert decoded.encoding == "utf-8"
    assert not decoded.text.startswith("\ufeff")


@pytest.mark.parametrize("raw", [b"", b"   \n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"])
def test_empty_and_binary_input_is_rejected(raw: bytes) -> None:
    with pytest.raises(DecodeError):
        decode_bytes(raw)
