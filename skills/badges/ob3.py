"""Open Badges 3.0 / W3C VC 1.1 and 2.0: context, schemas, proof, status, validity, endorsements (1EdTech order)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from skills.badges.contexts import UnknownContext, check_contexts, context_urls
from skills.badges.credential_schema import check_credential_schema
from skills.badges.data_integrity import verify_proof
from skills.badges.endorsements import check_endorsements
from skills.badges.fetch import Fetcher
from skills.badges.linked_data import undefined_terms
from skills.badges.result import CheckFailed, Verification
from skills.badges.status import check_status

VC_CONTEXTS = ("https://www.w3.org/2018/credentials/v1", "https://www.w3.org/ns/credentials/v2")


def issuer_id(credential: dict[str, Any]) -> str | None:
    """The issuer's id (the issuer is a string or a profile object)."""
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    return value if isinstance(value, str) else None


def subjects(credential: dict[str, Any]) -> list[dict[str, Any]]:
    """The credential subjects as a list."""
    value = credential.get("credentialSubject") or []
    return [s for s in (value if isinstance(value, list) else [value]) if isinstance(s, dict)]


def achievement_of(credential: dict[str, Any]) -> dict[str, Any]:
    """The first subject's achievement, or {}."""
    for subject in subjects(credential):
        if isinstance(subject.get("achievement"), dict):
            achievement: dict[str, Any] = subject["achievement"]
            return achievement
    return {}


def describe(result: Verification, credential: dict[str, Any]) -> None:
    """Fill the issuer and achievement names and ids from the credential."""
    issuer = credential.get("issuer")
    result.issuer_id = issuer_id(credential)
    result.issuer = str(issuer.get("name") or result.issuer_id) if isinstance(issuer, dict) else result.issuer_id
    achievement = achievement_of(credential)
    result.achievement = achievement.get("name") or credential.get("name")
    result.achievement_id = achievement.get("id")
    result.credential_id = credential.get("id")
    result.credential = credential


def check_context(credential: dict[str, Any], *, signed_bytes: bool) -> str:
    """Every context is shipped, the first is a VC context, and (for embedded proofs) every term is defined."""
    urls = context_urls(credential)
    if not urls or urls[0] not in VC_CONTEXTS:
        raise CheckFailed("context", "the first @context must be the W3C credentials context")
    try:
        check_contexts(credential)
    except UnknownContext as exc:
        raise CheckFailed("context", str(exc)) from None
    if not signed_bytes:
        undefined = undefined_terms(credential)
        if undefined:
            raise CheckFailed("context", "terms no context defines (not covered by the proof): " + ", ".join(undefined))
    return "v2" if urls[0] == VC_CONTEXTS[1] else "v1.1"


def check_schema(credential: dict[str, Any]) -> str:
    """The VC data model's required structure."""
    types = credential.get("type", [])
    types = types if isinstance(types, list) else [types]
    if "VerifiableCredential" not in types:
        raise CheckFailed("schema", "type must include VerifiableCredential")
    if issuer_id(credential) is None:
        raise CheckFailed("schema", "the credential has no issuer id")
    if not subjects(credential):
        raise CheckFailed("schema", "the credential has no credentialSubject")
    is_badge = "OpenBadgeCredential" in types or "AchievementCredential" in types
    if is_badge and not achievement_of(credential).get("name"):
        raise CheckFailed("schema", "an OpenBadgeCredential needs credentialSubject.achievement with a name")
    return ", ".join(t for t in types if isinstance(t, str))


def check_embedded_proofs(credential: dict[str, Any], *, fetcher: Fetcher) -> str:
    """Every embedded proof verifies against a key of the issuer."""
    value = credential.get("proof")
    proofs = [p for p in (value if isinstance(value, list) else [value]) if isinstance(p, dict)]
    if not proofs:
        raise CheckFailed("proof", "the credential has no proof")
    issuer = issuer_id(credential) or ""
    return ", ".join(verify_proof(credential, p, issuer_id=issuer, fetcher=fetcher) for p in proofs)


def _when(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise CheckFailed("validity", f"{name} is not a date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def check_validity(credential: dict[str, Any], *, now: datetime | None = None) -> str:
    """Not expired (validUntil / expirationDate) and already valid (validFrom / issuanceDate)."""
    now = now or datetime.now(UTC)
    until = _when(credential.get("validUntil", credential.get("expirationDate")), "validUntil")
    start = _when(credential.get("validFrom", credential.get("issuanceDate")), "validFrom")
    if until is not None and until <= now:
        raise CheckFailed("validity", f"the credential expired on {until:%Y-%m-%d}")
    if start is not None and start > now:
        raise CheckFailed("validity", f"the credential is not valid before {start:%Y-%m-%d}")
    return f"valid until {until:%Y-%m-%d}" if until else "no expiry"


LIST_MEMO_SECONDS = 60.0  # a status list that verified is trusted this long (every badge of an issuer shares it)
_LIST_MEMO_SIZE = 64
_verified_lists: dict[str, float] = {}


def _status_list_problems(document: dict[str, Any], fetcher: Fetcher) -> list[str]:
    key = json.dumps(document, sort_keys=True)
    if _verified_lists.get(key, 0.0) > time.monotonic():
        return []
    result = Verification()
    run_checks(result, document, fetcher=fetcher, prove=lambda: check_embedded_proofs(document, fetcher=fetcher),
               with_status=False, with_endorsements=False)
    if not result.errors:
        if len(_verified_lists) >= _LIST_MEMO_SIZE:
            _verified_lists.pop(next(iter(_verified_lists)))
        _verified_lists[key] = time.monotonic() + LIST_MEMO_SECONDS
    return result.errors


def forget_verified_lists() -> None:
    """Forget which status lists verified (benchmarks measure the real work)."""
    _verified_lists.clear()


def verify_endorsement(item: dict[str, Any] | str, *, fetcher: Fetcher) -> Verification:
    """Verify one endorsement as a credential of its own (its own endorsements are not followed)."""
    if isinstance(item, str):
        from skills.badges.jose import verify_vc_jwt  # here, not at the top: jose imports this module

        return verify_vc_jwt(item, fetcher=fetcher, endorsements=False)
    return verify_embedded(item, fetcher=fetcher, endorsements=False)


def run_checks(
    result: Verification,
    credential: dict[str, Any],
    *,
    fetcher: Fetcher,
    prove: Callable[[], str],
    signed_bytes: bool = False,
    with_status: bool = True,
    with_endorsements: bool = True,
) -> Verification:
    """Run the checks in order; a failed context, schema or proof check stops the run."""
    describe(result, credential)
    steps: list[tuple[str, Callable[[], str]]] = [
        ("context", lambda: check_context(credential, signed_bytes=signed_bytes)),
        ("schema", lambda: check_schema(credential)),
        ("credential_schema", lambda: check_credential_schema(credential)),
        ("proof", prove),
    ]
    if with_status:
        steps.append(("status", lambda: check_status(
            credential, fetcher=fetcher, verify_list=lambda d: _status_list_problems(d, fetcher))))
    steps.append(("validity", lambda: check_validity(credential)))
    if with_endorsements:
        steps.append(("endorsements", lambda: check_endorsements(
            credential, result, verify=lambda item: verify_endorsement(item, fetcher=fetcher))))
    for name, step in steps:
        try:
            result.ok(name, step())
        except CheckFailed as exc:
            result.fail(exc.name, exc.detail)
            if name in ("context", "schema", "proof"):
                break
    return result


def verify_embedded(credential: dict[str, Any], *, fetcher: Fetcher, endorsements: bool = True) -> Verification:
    """Verify a VC with embedded Data Integrity proofs (format `ob3-di`)."""
    result = Verification(format="ob3-di")
    return run_checks(
        result, credential, fetcher=fetcher, prove=lambda: check_embedded_proofs(credential, fetcher=fetcher),
        with_endorsements=endorsements,
    )
