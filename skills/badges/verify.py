"""Verify a badge from whatever the user has: a URL, JSON, a VC-JWT, or a baked PNG/SVG."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from skills.badges.baked import PNG_SIGNATURE, from_png, from_svg
from skills.badges.fetch import Fetcher, FetchError
from skills.badges.jose import split_jws, verify_vc_jwt
from skills.badges.ob2 import verify_ob2
from skills.badges.ob3 import verify_embedded
from skills.badges.result import CheckFailed, Verification

MAX_INPUT_BYTES = 5_000_000


def _text(data: bytes) -> str:
    if data.startswith(PNG_SIGNATURE):
        return from_png(data)
    try:
        text = data.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise CheckFailed("parse", "the badge is neither JSON, a JWT, a PNG nor an SVG") from None
    if text.startswith("<"):
        return from_svg(text)
    return text


def _verify_text(text: str, fetcher: Fetcher, depth: int) -> Verification:
    if text.startswith(("http://", "https://")) and depth == 0:
        try:
            return _verify_bytes(fetcher.get_bytes(text), fetcher, depth + 1)
        except FetchError as exc:
            raise CheckFailed("parse", str(exc)) from None
    if text.startswith("{"):
        try:
            document: Any = json.loads(text)
        except ValueError:
            raise CheckFailed("parse", "the badge is not valid JSON") from None
        if not isinstance(document, dict):
            raise CheckFailed("parse", "the badge is not a JSON object")
        return _verify_document(document, fetcher)
    if text.count(".") == 2 and " " not in text:
        _header, payload = split_jws(text)
        if payload.get("type") == "Assertion" or "recipient" in payload:
            return verify_ob2(payload, fetcher=fetcher, token=text)
        return verify_vc_jwt(text, fetcher=fetcher)
    raise CheckFailed("parse", "the badge is neither JSON, a JWT, a URL, a PNG nor an SVG")


def _verify_document(document: dict[str, Any], fetcher: Fetcher) -> Verification:
    if "proof" in document or "credentialSubject" in document:
        return verify_embedded(document, fetcher=fetcher)
    if document.get("type") in ("Assertion", ["Assertion"]) or "recipient" in document:
        return verify_ob2(document, fetcher=fetcher)
    raise CheckFailed("parse", "the JSON is neither an Open Badges 2.0 assertion nor a verifiable credential")


def _verify_bytes(data: bytes, fetcher: Fetcher, depth: int) -> Verification:
    if len(data) > MAX_INPUT_BYTES:
        raise CheckFailed("parse", "the badge file is too large")
    return _verify_text(_text(data), fetcher, depth)


def verify_badge(source: bytes | str, *, fetcher: Fetcher | None = None) -> Verification:
    """Verify a badge given as bytes (a file's content) or text (JSON, a JWT or a URL); never raises."""
    fetcher = fetcher or Fetcher()
    data = source.encode() if isinstance(source, str) else source
    try:
        result = _verify_bytes(data, fetcher, 0)
    except CheckFailed as exc:
        result = Verification()
        result.fail(exc.name, exc.detail)
        return result
    if not any(c.name == "parse" for c in result.checks):
        result.checks.insert(0, result.checks[0].__class__("parse", True, result.format))
    return result


def read_source(file_or_url: str) -> bytes:
    """The bytes of a local file, or the URL itself (verified by fetching)."""
    if file_or_url.startswith(("http://", "https://")):
        return file_or_url.encode()
    return Path(file_or_url).read_bytes()
