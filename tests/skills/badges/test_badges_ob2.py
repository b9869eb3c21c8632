"""Open Badges 2.0: hosted assertions and signed (JWS) ones, with their BadgeClass, issuer, key and revocation list."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from joserfc import jws
from joserfc.jwk import RSAKey
from sqlmodel import Session

from skills.badges.fetch import Fetcher
from skills.badges.importing import RecipientMismatch, import_badge
from skills.badges.verify import verify_badge
from skills.models import Employee
from tests.skills.badges.badge_helpers import Loopback, load, png_with, svg_with
from tests.skills.factories import Org

ORG = "https://example.org"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def recipient(email: str) -> dict[str, Any]:
    digest = hashlib.sha256((email + "deadsea").encode()).hexdigest()
    return {"type": "email", "hashed": True, "salt": "deadsea", "identity": f"sha256${digest}"}


def publish(issuers: Loopback, *, revoked: list[Any] | None = None, owner: str | None = None) -> dict[str, Any]:
    """Serve the spec's BadgeClass, issuer, key and revocation list on the loopback `example.org`."""
    issuer = load("ob2/spec_03_Issuer.json")
    issuers.serve("/org/organization.json", issuer)
    issuers.serve("/org/robotics-badge.json", load("ob2/spec_02_BadgeClass.json"))
    key = load("ob2/spec_05_CryptographicKey.json")
    key["publicKeyPem"] = RSA_KEY.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    key["owner"] = owner or issuer["id"]
    issuers.serve("/org/publicKey.json", key)
    listing = load("ob2/spec_06_RevocationList.json")
    listing["revokedAssertions"] += revoked or []
    issuers.serve("/org/revocationList.json", listing)
    return issuer


def hosted(issuers: Loopback, email: str = "dana@example.com") -> dict[str, Any]:
    assertion = load("ob2/spec_01_Assertion.json")
    assertion["recipient"] = recipient(email)
    del assertion["expires"]
    issuers.serve("/org/beths-robotics-badge.json", assertion)
    return assertion


def signed(assertion: dict[str, Any], key: rsa.RSAPrivateKey = RSA_KEY) -> str:
    jwk = RSAKey.import_key(key)
    return jws.serialize_compact({"alg": "RS256"}, json.dumps(assertion).encode(), jwk, algorithms=["RS256"])


def test_a_hosted_assertion_verifies(issuers: Loopback, fetcher: Fetcher) -> None:
    publish(issuers)
    result = verify_badge(json.dumps(hosted(issuers)), fetcher=fetcher)
    assert result.valid, result.errors
    assert result.format == "ob2-hosted"
    assert (result.issuer, result.achievement) == ("An Example Badge Issuer", "Awesome Robotics Badge")
    assert [c.name for c in result.checks] == [
        "parse", "context", "schema", "badge_class", "issuer", "proof", "status", "validity", "endorsements"]
    assert result.checks[-1].detail == "none"


def test_ob2_endorsements_are_optional_and_not_checked(issuers: Loopback, fetcher: Fetcher) -> None:
    publish(issuers)
    badge_class = load("ob2/spec_02_BadgeClass.json")
    badge_class["endorsement"] = [load("ob2/spec_03_Issuer.json")["id"] + "/endorsements/1"]
    issuers.serve("/org/robotics-badge.json", badge_class)
    result = verify_badge(json.dumps(hosted(issuers)), fetcher=fetcher)
    assert result.valid, result.errors
    assert result.checks[-1].name == "endorsements" and result.checks[-1].ok
    assert result.checks[-1].detail == (
        "not checked: endorsements are optional in Open Badges 2.0 (the BadgeClass names some)")


def test_a_hosted_assertion_verifies_from_its_url(issuers: Loopback, fetcher: Fetcher) -> None:
    publish(issuers)
    hosted(issuers)
    assert verify_badge(f"{ORG}/beths-robotics-badge.json", fetcher=fetcher).valid


def test_a_hosted_assertion_that_differs_from_the_hosted_copy_fails(issuers: Loopback, fetcher: Fetcher) -> None:
    publish(issuers)
    assertion = hosted(issuers)
    assertion["recipient"] = recipient("mallory@example.com")
    assert verify_badge(json.dumps(assertion), fetcher=fetcher).failed == "proof"


def test_a_hosted_assertion_off_the_issuers_origin_fails(issuers: Loopback, fetcher: Fetcher) -> None:
    publish(issuers)
    assertion = hosted(issuers)
    assertion["id"] = "https://example.edu/beths-robotics-badge.json"
    result = verify_badge(json.dumps(assertion), fetcher=fetcher)
    assert result.failed == "proof" and "origin" in result.errors[0]


def test_a_revoked_hosted_assertion_fails_status(issuers: Loopback, fetcher: Fetcher) -> None:
    publish(issuers, revoked=[{"id": f"{ORG}/beths-robotics-badge.json", "revocationReason": "Issued in error"}])
    result = verify_badge(json.dumps(hosted(issuers)), fetcher=fetcher)
    assert result.failed == "status" and "Issued in error" in result.errors[0]


def test_an_expired_assertion_fails_validity(issuers: Loopback, fetcher: Fetcher) -> None:
    publish(issuers)
    assertion = hosted(issuers)
    assertion["expires"] = "2017-06-30T23:59:59Z"
    issuers.serve("/org/beths-robotics-badge.json", assertion)
    assert verify_badge(json.dumps(assertion), fetcher=fetcher).failed == "validity"


def test_a_missing_badge_class_fails(issuers: Loopback, fetcher: Fetcher) -> None:
    publish(issuers)
    assertion = hosted(issuers)
    assertion["badge"] = f"{ORG}/no-such-badge.json"
    result = verify_badge(json.dumps(assertion), fetcher=fetcher)
    assert result.failed == "badge_class" and "HTTP 404" in result.errors[0]


def signed_assertion(email: str = "dana@example.com") -> dict[str, Any]:
    assertion = load("ob2/spec_04_Assertion.json")
    assertion["recipient"] = recipient(email)
    return assertion


def test_a_signed_assertion_verifies(issuers: Loopback, fetcher: Fetcher) -> None:
    publish(issuers)
    result = verify_badge(signed(signed_assertion()), fetcher=fetcher)
    assert result.valid, result.errors
    assert result.format == "ob2-signed"


@pytest.mark.parametrize("bake", [png_with, svg_with])
def test_a_baked_signed_assertion_verifies(issuers: Loopback, fetcher: Fetcher, bake: Any) -> None:
    publish(issuers)
    assert verify_badge(bake(signed(signed_assertion())), fetcher=fetcher).valid


def test_a_signed_assertion_with_another_key_fails(issuers: Loopback, fetcher: Fetcher) -> None:
    publish(issuers)
    result = verify_badge(signed(signed_assertion(), key=OTHER_RSA), fetcher=fetcher)
    assert result.failed == "proof"


def test_a_key_not_owned_by_the_issuer_fails(issuers: Loopback, fetcher: Fetcher) -> None:
    publish(issuers, owner="https://evil.example/org.json")
    result = verify_badge(signed(signed_assertion()), fetcher=fetcher)
    assert result.failed == "proof" and "does not belong to the issuer" in result.errors[0]


def test_a_revoked_signed_assertion_fails_status(issuers: Loopback, fetcher: Fetcher) -> None:
    publish(issuers, revoked=["urn:uuid:a953081a-4bbd-4927-9653-7219bca00e3b"])
    assert verify_badge(signed(signed_assertion()), fetcher=fetcher).failed == "status"


def test_a_tampered_signed_assertion_fails(issuers: Loopback, fetcher: Fetcher) -> None:
    publish(issuers)
    token = signed(signed_assertion())
    header, _, signature = token.split(".")
    other = signed(signed_assertion("mallory@example.com")).split(".")[1]
    assert verify_badge(f"{header}.{other}.{signature}", fetcher=fetcher).failed == "proof"



def test_importing_a_hosted_ob2_badge_credits_its_alignment_skills(
    issuers: Loopback, fetcher: Fetcher, org: Org
) -> None:
    publish(issuers)
    hosted(issuers)
    with Session(org.engine) as session:
        dana = session.get(Employee, "UDANA")
        assert dana is not None
        dana.email = "Dana@Example.com"
        session.add(dana)
        session.commit()
    done = org.run(import_badge, actor=org.dana, source=f"{ORG}/beths-robotics-badge.json", fetcher=fetcher)
    assert done.created and done.badge.format == "ob2-hosted"
    assert done.badge.achievement == "Awesome Robotics Badge" and done.badge.issuer == "An Example Badge Issuer"
    assert done.badge.skills == ["CCSS.ELA-Literacy.RST.11-12.3", "Problem-Solving"]
    assert done.badge.source_url == f"{ORG}/beths-robotics-badge.json"
    with pytest.raises(RecipientMismatch):
        org.run(import_badge, actor=org.erin, source=f"{ORG}/beths-robotics-badge.json", fetcher=fetcher)
