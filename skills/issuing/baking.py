"""What a person carries: the badge as a PNG with the credential baked in (OB 3.0), and a LinkedIn link."""

from __future__ import annotations

import io
import struct
import textwrap
import zlib
from datetime import datetime
from urllib.parse import urlencode

from PIL import Image, ImageDraw, ImageFont

from skills.badges.baked import PNG_SIGNATURE

KEYWORD = b"openbadgecredential"
SIZE = 400
LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bake(png: bytes, credential: str) -> bytes:
    """The PNG with an uncompressed iTXt chunk `openbadgecredential` holding the credential (JSON or VC-JWT)."""
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    end = png.rindex(b"IEND") - 4  # the IEND chunk's length field
    itxt = KEYWORD + b"\0" + b"\0\0" + b"\0" + b"\0" + credential.encode("utf-8")
    return png[:end] + _chunk(b"iTXt", itxt) + png[end:]


def badge_png(title: str, organisation: str) -> bytes:
    """A simple round badge with the achievement's name and the organisation (Pillow, no fonts needed)."""
    image = Image.new("RGBA", (SIZE, SIZE), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, SIZE - 8, SIZE - 8), fill=(32, 84, 147, 255), outline=(244, 180, 0, 255), width=14)
    font = ImageFont.load_default(size=26)
    small = ImageFont.load_default(size=18)
    lines = textwrap.wrap(title, width=20)[:4]
    y = SIZE // 2 - 18 * len(lines)
    for line in lines:
        draw.text((SIZE // 2, y), line, font=font, fill="white", anchor="mm")
        y += 34
    draw.text((SIZE // 2, SIZE - 80), organisation[:32], font=small, fill=(244, 180, 0, 255), anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def baked_badge(title: str, organisation: str, credential: str) -> bytes:
    """The badge image with the credential baked in."""
    return bake(badge_png(title, organisation), credential)


def linkedin_url(*, name: str, organisation: str, issued: datetime, url: str, cert_id: str) -> str:
    """An "Add to LinkedIn profile" link with the certification filled in."""
    query = {"startTask": "CERTIFICATION_NAME", "name": name, "organizationName": organisation,
             "issueYear": str(issued.year), "issueMonth": str(issued.month), "certUrl": url, "certId": cert_id}
    return f"{LINKEDIN_ADD}?{urlencode(query)}"
