"""Credential status: Bitstring / StatusList2021 revocation and suspension lists, themselves verified."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Callable
from typing import Any

from skills.badges.fetch import Fetcher, FetchError
from skills.badges.result import CheckFailed

_ENTRY_TYPES = ("BitstringStatusListEntry", "StatusList2021Entry")
_LIST_TYPES = ("BitstringStatusListCredential", "StatusList2021Credential")
ListVerifier = Callable[[dict[str, Any]], list[str]]


def decode_list(encoded: str) -> bytes:
    """The raw bitstring of a list (gzip, base64url, optionally multibase `u`)."""
    text = encoded[1:] if encoded.startswith("u") else encoded
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def bit_set(bits: bytes, index: int) -> bool:
    """Whether bit `index` (most significant bit first) is set."""
    if not 0 <= index < len(bits) * 8:
        raise CheckFailed("status", f"status index {index} is outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def _entries(credential: dict[str, Any]) -> list[dict[str, Any]]:
    value = credential.get("credentialStatus") or []
    return [e for e in (value if isinstance(value, list) else [value]) if isinstance(e, dict)]


def check_status(credential: dict[str, Any], *, fetcher: Fetcher, verify_list: ListVerifier) -> str:
    """Raise CheckFailed("status") when revoked, suspended or unverifiable; returns a summary."""
    entries = _entries(credential)
    if not entries:
        return "no status list"
    for entry in entries:
        if entry.get("type") not in _ENTRY_TYPES:
            raise CheckFailed("status", f"unsupported status type {entry.get('type')!r}")
        url = str(entry.get("statusListCredential", ""))
        try:
            status_list = fetcher.get_json(url)
        except FetchError as exc:
            raise CheckFailed("status", f"can't check revocation: {exc}") from None
        types = status_list.get("type", [])
        if not any(t in types for t in _LIST_TYPES):
            raise CheckFailed("status", "the status list is not a status list credential")
        problems = verify_list(status_list)
        if problems:
            raise CheckFailed("status", "the status list does not verify: " + "; ".join(problems))
        subject = status_list.get("credentialSubject", {})
        purpose = entry.get("statusPurpose", "revocation")
        if subject.get("statusPurpose") != purpose:
            raise CheckFailed("status", "the status list is for another purpose")
        try:
            bits = decode_list(str(subject.get("encodedList", "")))
            index = int(entry.get("statusListIndex", -1))
        except (ValueError, OSError):
            raise CheckFailed("status", "the status list can't be decoded") from None
        if bit_set(bits, index):
            raise CheckFailed("status", "the issuer has revoked this credential" if purpose == "revocation"
                              else f"the credential's status is {purpose}")
    return "not revoked"
