"""Baked badges: the assertion or credential carried inside a PNG (iTXt/tEXt chunk) or an SVG element."""

from __future__ import annotations

import html
import re
import struct
import zlib

from skills.badges.result import CheckFailed

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORDS = (b"openbadgecredential", b"openbadges")
_SVG = re.compile(
    r"<openbadges:(?:credential|assertion)\b([^>]*?)(?:/>|>(.*?)</openbadges:(?:credential|assertion)>)", re.S
)
_VERIFY = re.compile(r'verify\s*=\s*"([^"]+)"')
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)


def _itxt_text(data: bytes) -> tuple[bytes, str]:
    keyword, rest = data.split(b"\0", 1)
    compressed, _method = rest[0], rest[1]
    _language, rest = rest[2:].split(b"\0", 1)
    _translated, text = rest.split(b"\0", 1)
    return keyword, (zlib.decompress(text) if compressed else text).decode("utf-8")


def from_png(data: bytes) -> str:
    """The badge text baked into a PNG, or CheckFailed("parse")."""
    pos = len(PNG_SIGNATURE)
    try:
        while pos + 8 <= len(data):
            length, kind = struct.unpack(">I4s", data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + length]
            pos += 12 + length
            if kind == b"iTXt":
                keyword, text = _itxt_text(body)
            elif kind == b"tEXt" and b"\0" in body:
                keyword, raw = body.split(b"\0", 1)
                text = raw.decode("latin-1")
            else:
                continue
            if keyword in PNG_KEYWORDS:
                return text
    except (ValueError, IndexError, zlib.error, struct.error):
        raise CheckFailed("parse", "the PNG's badge chunk is damaged") from None
    raise CheckFailed("parse", "the PNG carries no baked badge (no openbadges iTXt chunk)")


def from_svg(text: str) -> str:
    """The badge text baked into an SVG (`openbadges:credential` or `openbadges:assertion`)."""
    match = _SVG.search(text)
    if match is None:
        raise CheckFailed("parse", "the SVG carries no baked badge (no openbadges element)")
    attributes, body = match.group(1), match.group(2) or ""
    cdata = _CDATA.search(body)
    content = (cdata.group(1) if cdata else html.unescape(body)).strip()
    if content:
        return content
    verify = _VERIFY.search(attributes)
    if verify is None:
        raise CheckFailed("parse", "the SVG's openbadges element is empty")
    return html.unescape(verify.group(1))
