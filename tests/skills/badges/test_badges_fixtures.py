"""Every valid vc-test-fixture and 1EdTech test vector verifies; each broken one fails its named check."""

from __future__ import annotations

import json

import pytest

from skills.badges.fetch import Fetcher
from skills.badges.verify import verify_badge
from tests.skills.badges.badge_helpers import DATA, VCS, VECTOR, Loopback

# file stem marker -> the check that must fail first
BROKEN = {
    "revoked": "status",
    "expiredStatus": "status",
    "missingTypeStatus": "status",
    "notYetValidStatus": "status",
    "tamperedStatus": "status",
    "tampered": "proof",
    "badDidWeb": "proof",
    "notYetValid": "validity",
    "expired": "validity",
}
ALL = sorted(p.relative_to(VCS).as_posix() for p in VCS.rglob("*.json"))
VALID = [p for p in ALL if not any(marker in p for marker in BROKEN)]
INVALID = [p for p in ALL if p not in VALID]


def expected_failure(path: str) -> str:
    """The check a broken fixture must fail (the first marker in BROKEN order that its name has)."""
    return next(check for marker, check in BROKEN.items() if marker in path)


@pytest.mark.parametrize("path", VALID)
def test_valid_fixture_verifies(path: str, fetcher: Fetcher) -> None:
    result = verify_badge((VCS / path).read_bytes(), fetcher=fetcher)
    assert result.valid, result.errors
    assert result.format == "ob3-di"
    assert [c.name for c in result.checks] == [
        "parse", "context", "schema", "credential_schema", "proof", "status", "validity", "endorsements"]


@pytest.mark.parametrize("path", INVALID)
def test_broken_fixture_fails_the_right_check(path: str, fetcher: Fetcher) -> None:
    result = verify_badge((VCS / path).read_bytes(), fetcher=fetcher)
    assert not result.valid
    assert result.failed == expected_failure(path), result.errors


def test_there_are_enough_fixtures_of_each_kind() -> None:
    assert len(VALID) >= 40 and len(INVALID) >= 30
    assert any("didWeb" in p or "didweb" in p for p in VALID)
    assert any("ed25519" in p for p in VALID) and any("dataIntegrityProof" in p for p in VALID)


def test_revocation_says_revoked(fetcher: Fetcher) -> None:
    result = verify_badge((VCS / "v2/dataIntegrityProof/didKey/oidf-revokedStatus-noExpiry.json").read_bytes(),
                          fetcher=fetcher)
    assert "revoked" in " ".join(result.errors)


def test_expired_and_revoked_reports_both(fetcher: Fetcher) -> None:
    result = verify_badge((VCS / "v1/ed25519/didKey/oidf-revokedStatus-expired.json").read_bytes(), fetcher=fetcher)
    assert [c.name for c in result.checks if not c.ok] == ["status", "validity"]


def test_onetech_signed_vectors_verify_with_the_issuer_key_served_over_http(
    issuers: Loopback, fetcher: Fetcher
) -> None:
    controller = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": VECTOR["controller"],
        "verificationMethod": [{"id": VECTOR["id"], "type": "Multikey", "controller": VECTOR["controller"],
                                "publicKeyMultibase": VECTOR["publicKeyMultibase"]}],
    }
    issuers.serve("/edu/issuers/565049", controller)
    for name in ("ob", "clr"):
        document = (DATA / "ob3" / f"ob_v3p0_linked-data-proof-{name}__Signed_credential.json").read_bytes()
        result = verify_badge(document, fetcher=fetcher)
        assert result.valid, (name, result.errors)
    assert result.issuer_id == VECTOR["controller"]


def test_http_key_of_another_controller_is_refused(issuers: Loopback, fetcher: Fetcher) -> None:
    issuers.serve("/edu/issuers/565049", {
        "id": VECTOR["controller"],
        "verificationMethod": [{"id": VECTOR["id"], "type": "Multikey", "controller": "https://evil.example",
                                "publicKeyMultibase": VECTOR["publicKeyMultibase"]}],
    })
    document = (DATA / "ob3" / "ob_v3p0_linked-data-proof-ob__Signed_credential.json").read_bytes()
    result = verify_badge(document, fetcher=fetcher)
    assert result.failed == "proof" and "not controlled by the issuer" in result.errors[0]


def test_did_web_needs_its_host(tmp_path: object) -> None:
    document = (VCS / "v2/ed25519/didWeb/oidf-noStatus-notExpired.json").read_bytes()
    result = verify_badge(document, fetcher=Fetcher(offline=True))
    assert result.failed == "proof" and "issuer's key" in result.errors[0]


def test_the_verify_json_shape(fetcher: Fetcher) -> None:
    result = verify_badge((VCS / "v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-basicOBv3.json")
                          .read_bytes(), fetcher=fetcher)
    shape = json.loads(json.dumps(result.to_dict()))
    assert shape["valid"] is True and shape["format"] == "ob3-di" and shape["errors"] == []
    assert shape["issuer"] and shape["achievement"]
    assert all(set(c) == {"name", "ok", "detail"} for c in shape["checks"])
