"""Endorsements (`endorsement`, `endorsementJwt`): each verified as a credential of its own; a bad one is a warning."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from skills.badges.credential_schema import json_path
from skills.badges.result import EndorsementResult, Verification

MAX_ENDORSEMENTS = 10  # each may fetch keys and status lists: bound the work one pasted badge can cause
MAX_DEPTH = 8
_KEYS = ("endorsement", "endorsementJwt")
EndorsementVerifier = Callable[[dict[str, Any] | str], Verification]


def find_endorsements(document: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str, Any]]:
    """(JSON path, endorsement) for every endorsement on the credential, its issuer, achievement and profiles."""
    if len(path) > MAX_DEPTH:
        return
    if isinstance(document, list):
        for index, item in enumerate(document):
            yield from find_endorsements(item, (*path, index))
        return
    if not isinstance(document, dict):
        return
    for key, value in document.items():
        if key in _KEYS:
            items = value if isinstance(value, list) else [value]
            for index, item in enumerate(items):
                yield json_path((*path, key, index)), item
        elif key not in ("proof", "@context"):
            yield from find_endorsements(value, (*path, key))


def _types(credential: dict[str, Any]) -> list[Any]:
    value = credential.get("type", [])
    return value if isinstance(value, list) else [value]


def verify_endorsement(where: str, item: Any, verify: EndorsementVerifier) -> EndorsementResult:
    """Verify one endorsement (embedded VC or compact JWS) on its own."""
    if not isinstance(item, dict | str):
        return EndorsementResult(where, None, False, "not a credential")
    result = verify(item)
    if result.valid and "EndorsementCredential" not in _types(result.credential):
        return EndorsementResult(where, result.issuer, False, "not an EndorsementCredential")
    detail = "; ".join(result.errors) if not result.valid else f"{result.format} by {result.issuer_id}"
    return EndorsementResult(where, result.issuer, result.valid, detail)


def _label(endorsement: EndorsementResult) -> str:
    return endorsement.where + (f" by {endorsement.issuer}" if endorsement.issuer else "")


def check_endorsements(credential: dict[str, Any], result: Verification, *, verify: EndorsementVerifier) -> str:
    """Verify every endorsement; record each on `result` and warn about bad ones. Never fails the badge."""
    found = list(find_endorsements(credential))
    if not found:
        return "none"
    result.endorsements = [verify_endorsement(where, item, verify) for where, item in found[:MAX_ENDORSEMENTS]]
    bad = [e for e in result.endorsements if not e.valid]
    good = len(result.endorsements) - len(bad)
    result.warnings += [f"endorsement {_label(e)} did not verify: {e.detail}" for e in bad]
    if bad:
        detail = (f"{good} of {len(result.endorsements)} endorsement(s) verified; not verified: "
                  + " | ".join(f"{_label(e)} ({e.detail})" for e in bad))
    else:
        detail = f"{good} endorsement(s) verified"
    skipped = len(found) - len(result.endorsements)
    if skipped:
        detail += f"; {skipped} more not checked (Badger checks at most {MAX_ENDORSEMENTS})"
        result.warnings.append(f"{skipped} endorsement(s) not checked (more than {MAX_ENDORSEMENTS})")
    return detail
