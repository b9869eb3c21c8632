"""Credential status: Bitstring / StatusList2021 lists and 1EdTech revocation lists, themselves verified when signed."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Callable
from typing import Any

from skills.badges.fetch import Fetcher, FetchError
from skills.badges.result import CheckFailed

_ENTRY_TYPES = ("BitstringStatusListEntry", "StatusList2021Entry")
_LIST_TYPES = ("BitstringStatusListCredential", "StatusList2021Credential")
REVOCATION_LIST = "1EdTechRevocationList"
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


def _types(document: dict[str, Any]) -> list[Any]:
    value = document.get("type", [])
    return value if isinstance(value, list) else [value]


def _issuer_of(document: dict[str, Any]) -> Any:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _fetch(url: str, fetcher: Fetcher) -> dict[str, Any]:
    try:
        return fetcher.get_json(url)
    except FetchError as exc:
        raise CheckFailed("status", f"can't check revocation: {exc}") from None


def check_revocation_list(
    credential: dict[str, Any], entry: dict[str, Any], *, fetcher: Fetcher, verify_list: ListVerifier
) -> str:
    """A `1EdTechRevocationList` entry: fetch the list at `entry.id`; revoked if the credential's id is listed."""
    url, credential_id = entry.get("id"), credential.get("id")
    if not isinstance(url, str) or not url:
        raise CheckFailed("status", "the 1EdTechRevocationList status has no id (the list's URL)")
    if not isinstance(credential_id, str) or not credential_id:
        raise CheckFailed("status", "the credential has no id to look up in its revocation list")
    listing = _fetch(url, fetcher)
    signed = "proof" in listing or "VerifiableCredential" in _types(listing)
    if signed:
        problems = verify_list(listing)
        if problems:
            raise CheckFailed("status", "the revocation list does not verify: " + "; ".join(problems))
    owner = _issuer_of(listing)
    if owner is not None and owner != _issuer_of(credential):
        raise CheckFailed("status", f"the revocation list at {url} is {owner}'s, not the credential issuer's")
    subject = listing.get("credentialSubject")
    body = subject if isinstance(subject, dict) and "revokedCredentials" in subject else listing
    revoked = body.get("revokedCredentials", [])
    if not isinstance(revoked, list):
        raise CheckFailed("status", "the revocation list's revokedCredentials is not a list")
    for item in revoked:
        if (item.get("id") if isinstance(item, dict) else item) == credential_id:
            reason = item.get("revocationReason") if isinstance(item, dict) else None
            raise CheckFailed("status", "the issuer has revoked this credential" + (f": {reason}" if reason else ""))
    return "not revoked (" + ("signed " if signed else "") + "1EdTech revocation list)"


def check_status_list(entry: dict[str, Any], *, fetcher: Fetcher, verify_list: ListVerifier) -> str:
    """A Bitstring / StatusList2021 entry: the list credential is fetched, verified, and the bit read."""
    status_list = _fetch(str(entry.get("statusListCredential", "")), fetcher)
    if not any(t in _types(status_list) for t in _LIST_TYPES):
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


def check_status(credential: dict[str, Any], *, fetcher: Fetcher, verify_list: ListVerifier) -> str:
    """Raise CheckFailed("status") when revoked, suspended or unverifiable; returns a summary."""
    entries = _entries(credential)
    if not entries:
        return "no status list"
    details: list[str] = []
    for entry in entries:
        if entry.get("type") == REVOCATION_LIST:
            details.append(check_revocation_list(credential, entry, fetcher=fetcher, verify_list=verify_list))
        elif entry.get("type") in _ENTRY_TYPES:
            details.append(check_status_list(entry, fetcher=fetcher, verify_list=verify_list))
        else:
            raise CheckFailed("status", f"unsupported status type {entry.get('type')!r}")
    return "; ".join(dict.fromkeys(details))
