"""Endorsements: embedded EndorsementCredentials and endorsementJwt verified on their own; a bad one is a warning."""

from __future__ import annotations

import copy
import json
from typing import Any

from skills.badges.endorsements import MAX_ENDORSEMENTS, find_endorsements
from skills.badges.fetch import Fetcher
from skills.badges.result import Verification
from skills.badges.verify import verify_badge
from tests.skills.badges.badge_helpers import (
    DID,
    OTHER_DID,
    OTHER_KEY,
    PRIVATE,
    credential,
    endorsement,
    sign_di,
    sign_jwt,
)

OFFLINE = Fetcher(offline=True)
ACHIEVEMENT_ID = "urn:uuid:achievement-py"


def endorsed(*embedded: dict[str, Any], jwts: tuple[str, ...] = ()) -> dict[str, Any]:
    """A badge signed by its issuer, carrying `embedded` endorsements and `jwts` on its achievement."""
    document = credential()
    if embedded:
        document["endorsement"] = list(embedded)
    if jwts:
        document["credentialSubject"]["achievement"]["endorsementJwt"] = list(jwts)
    return sign_di(document)


def by_other_issuer(subject_id: str = DID, **changes: Any) -> dict[str, Any]:
    """An endorsement signed by another did:key."""
    return sign_di(endorsement(subject_id=subject_id, **changes), key=OTHER_KEY)


def check(result: Verification) -> tuple[bool, str]:
    found = next(c for c in result.checks if c.name == "endorsements")
    return found.ok, found.detail


def verify(document: dict[str, Any]) -> Verification:
    return verify_badge(json.dumps(document), fetcher=OFFLINE)


def test_no_endorsements_says_none() -> None:
    result = verify(sign_di(credential()))
    assert check(result) == (True, "none") and result.endorsements == [] and result.warnings == []


def test_an_endorsement_signed_by_another_did_key_verifies() -> None:
    result = verify(endorsed(by_other_issuer()))
    assert result.valid, result.errors
    assert check(result) == (True, "1 endorsement(s) verified")
    [found] = result.endorsements
    assert (found.where, found.issuer, found.valid) == ("endorsement[0]", "Example Accrediting Agency", True)
    assert found.detail == f"ob3-di by {OTHER_DID}"
    assert result.to_dict()["endorsements"][0]["valid"] is True and result.warnings == []


def test_embedded_and_jwt_endorsements_on_the_credential_and_the_achievement() -> None:
    token = sign_jwt(endorsement(subject_id=ACHIEVEMENT_ID, comment="A rigorous course."), key=OTHER_KEY)
    result = verify(endorsed(by_other_issuer(), jwts=(token,)))
    assert result.valid, result.errors
    assert check(result) == (True, "2 endorsement(s) verified")
    assert sorted((e.where, e.detail.split(" ")[0]) for e in result.endorsements) == [
        ("credentialSubject.achievement.endorsementJwt[0]", "ob3-jwt"), ("endorsement[0]", "ob3-di")]


def test_a_tampered_endorsement_leaves_the_badge_valid_and_is_named() -> None:
    tampered = by_other_issuer()
    tampered["credentialSubject"]["endorsementComment"] = "Best issuer ever."  # after the endorser signed
    result = verify(endorsed(by_other_issuer(comment="Fine."), tampered))
    assert result.valid, result.errors  # the badge's own proof covers what it carries; the endorsement is separate
    ok, detail = check(result)
    assert ok and detail.startswith("1 of 2 endorsement(s) verified; not verified: endorsement[1] by Example "
                                    "Accrediting Agency (proof: the eddsa-rdfc-2022 signature does not match")
    assert [e.valid for e in result.endorsements] == [True, False]
    assert result.warnings == [f"endorsement endorsement[1] by Example Accrediting Agency did not verify: "
                               f"{result.endorsements[1].detail}"]
    assert result.to_dict()["warnings"] == result.warnings and result.errors == []


def test_a_tampered_endorsement_jwt_is_named() -> None:
    token = sign_jwt(endorsement(subject_id=ACHIEVEMENT_ID), key=OTHER_KEY)
    header, payload, signature = token.split(".")
    flipped = f"{header}.{payload}.{signature[:-2]}{'A' if signature[-2] != 'A' else 'B'}{signature[-1]}"
    result = verify(endorsed(jwts=(flipped,)))
    assert result.valid
    ok, detail = check(result)
    assert ok and "not verified: credentialSubject.achievement.endorsementJwt[0]" in detail and "proof:" in detail


def test_an_endorsement_claiming_the_issuers_key_but_signed_by_another_fails() -> None:
    forged = sign_di(endorsement(subject_id=DID, issuer=DID, issuer_name="Test University"), key=OTHER_KEY)
    result = verify(endorsed(forged))
    assert result.valid and not result.endorsements[0].valid
    assert "does not match" in result.endorsements[0].detail


def test_an_expired_endorsement_is_reported() -> None:
    stale = endorsement(subject_id=DID)
    stale["validUntil"] = "2024-06-01T00:00:00Z"
    result = verify(endorsed(sign_di(stale, key=OTHER_KEY)))
    assert result.valid and "validity: the credential expired on 2024-06-01" in check(result)[1]


def test_a_badge_passed_off_as_an_endorsement_is_not_one() -> None:
    result = verify(endorsed(sign_di(credential(email="someone@example.com"), key=PRIVATE)))
    assert result.valid and check(result)[1].endswith("(not an EndorsementCredential)")


def test_endorsements_on_profiles_are_found() -> None:
    document = credential()
    document["issuer"]["endorsement"] = [{"type": ["VerifiableCredential", "EndorsementCredential"]}]
    document["credentialSubject"]["achievement"]["creator"] = {"id": DID, "type": ["Profile"],
                                                               "endorsementJwt": ["a.b.c"]}
    assert [where for where, _ in find_endorsements(document)] == [
        "issuer.endorsement[0]", "credentialSubject.achievement.creator.endorsementJwt[0]"]


def test_only_the_first_endorsements_are_checked() -> None:
    one = by_other_issuer()
    result = verify(endorsed(*[copy.deepcopy(one) for _ in range(MAX_ENDORSEMENTS + 2)]))
    assert result.valid
    assert check(result)[1] == (f"{MAX_ENDORSEMENTS} endorsement(s) verified; "
                                f"2 more not checked (Badger checks at most {MAX_ENDORSEMENTS})")
    assert result.warnings == [f"2 endorsement(s) not checked (more than {MAX_ENDORSEMENTS})"]


def test_an_invalid_badge_still_reports_its_endorsements_but_stays_invalid() -> None:
    document = credential(valid_until="2025-01-01T00:00:00Z")
    document["endorsement"] = [by_other_issuer()]
    result = verify(sign_di(document))
    assert not result.valid and result.failed == "validity"
    assert check(result) == (True, "1 endorsement(s) verified")
