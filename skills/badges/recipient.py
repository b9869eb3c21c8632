"""Recipient match: the badge's subject (email, salted email hash, or another identifier) against an email."""

from __future__ import annotations

import hashlib
from typing import Any

from skills.badges.ob3 import subjects
from skills.badges.result import Verification

_EMAIL_TYPES = ("email", "emailAddress")


def _hash_matches(identity: str, email: str, salt: str) -> bool:
    algorithm, _, digest = identity.partition("$")
    if algorithm.lower() not in ("sha256", "md5") or not digest:
        return False
    for candidate in {email, email.lower()}:
        if hashlib.new(algorithm.lower(), (candidate + salt).encode()).hexdigest() == digest.lower():
            return True
    return False


def _identity_matches(kind: str, identity: str, hashed: bool, salt: str, email: str) -> bool:
    if kind not in _EMAIL_TYPES:
        return False
    if hashed:
        return _hash_matches(identity, email, salt)
    return identity.strip().lower() == email.strip().lower()


def _identities(verification: Verification) -> list[tuple[str, str, bool, str]]:
    document = verification.credential
    if verification.format.startswith("ob2"):
        r: dict[str, Any] = document.get("recipient") or {}
        return [(str(r.get("type", "")), str(r.get("identity", "")), bool(r.get("hashed")), str(r.get("salt") or ""))]
    found: list[tuple[str, str, bool, str]] = []
    for subject in subjects(document):
        sid = str(subject.get("id", ""))
        if sid.startswith("mailto:"):
            found.append(("email", sid.removeprefix("mailto:"), False, ""))
        for ident in subject.get("identifier") or []:
            if isinstance(ident, dict):
                found.append((str(ident.get("identityType", "")), str(ident.get("identityHash", "")),
                              bool(ident.get("hashed")), str(ident.get("salt") or "")))
        if sid and not sid.startswith("mailto:"):
            found.append(("id", sid, False, ""))
    return found


def match_recipient(verification: Verification, email: str | None) -> str | None:
    """None when the badge was issued to this email; otherwise the reason it can't be matched."""
    identities = _identities(verification)
    if not identities:
        return "the badge does not say who earned it"
    if not email:
        return "your profile has no email address to match the badge's recipient against"
    if any(_identity_matches(kind, ident, hashed, salt, email) for kind, ident, hashed, salt in identities):
        return None
    if any(kind in _EMAIL_TYPES for kind, *_ in identities):
        return f"the badge was issued to another email address, not {email}"
    kinds = sorted({kind or "unknown" for kind, *_ in identities})
    return f"the badge names its recipient by {', '.join(kinds)}, which Badger can't match to your email"
