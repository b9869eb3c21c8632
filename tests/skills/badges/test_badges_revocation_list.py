"""1EdTechRevocationList status: the list is fetched from a loopback issuer; revoked, not listed, unreachable, slow."""

from __future__ import annotations

import dataclasses
import json
import socket
from typing import Any

from skills.badges.fetch import Fetcher
from skills.badges.result import Verification
from skills.badges.verify import verify_badge
from tests.skills.badges.badge_helpers import DID, OTHER_KEY, Loopback, credential, sign_di

ISSUER_SITE = "https://example.edu"  # the fetcher fixture maps it to the loopback server's /edu
TEST_TERMS = {"revokedCredentials": {"@id": "urn:badger:test#revokedCredentials", "@container": "@set"},
              "revocationReason": "urn:badger:test#revocationReason"}


def revocable(list_path: str, **changes: Any) -> dict[str, Any]:
    """A signed credential whose status is the 1EdTech revocation list at ISSUER_SITE + list_path."""
    document = credential(**changes)
    document["credentialStatus"] = {"id": ISSUER_SITE + list_path, "type": "1EdTechRevocationList"}
    return sign_di(document)


def listing(*revoked: dict[str, Any], issuer: str = DID) -> dict[str, Any]:
    """A plain-JSON revocation list, as the 1EdTech Revocation List Status Method publishes it."""
    return {"id": "https://example.edu/revocations", "issuer": issuer, "revokedCredentials": list(revoked)}


def signed_listing(path: str, *revoked: dict[str, Any]) -> dict[str, Any]:
    """The revocation list published as a verifiable credential signed by the issuer."""
    return sign_di({
        "@context": ["https://www.w3.org/ns/credentials/v2", TEST_TERMS],
        "id": ISSUER_SITE + path,
        "type": ["VerifiableCredential"],
        "issuer": DID,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": ISSUER_SITE + path + "#list", "revokedCredentials": list(revoked)},
    })


def status(result: Verification) -> tuple[bool, str]:
    check = next(c for c in result.checks if c.name == "status")
    return check.ok, check.detail


def test_a_listed_credential_is_revoked_with_its_reason(issuers: Loopback, fetcher: Fetcher) -> None:
    badge = revocable("/rl/revoked")
    issuers.serve("/edu/rl/revoked", listing({"id": "urn:uuid:someone-else"},
                                             {"id": badge["id"], "revocationReason": "Issued in error"}))
    result = verify_badge(json.dumps(badge), fetcher=fetcher)
    assert not result.valid and result.failed == "status"
    assert status(result) == (False, "the issuer has revoked this credential: Issued in error")
    assert "/edu/rl/revoked" in issuers.hits


def test_a_credential_not_on_the_list_is_not_revoked(issuers: Loopback, fetcher: Fetcher) -> None:
    badge = revocable("/rl/clean")
    issuers.serve("/edu/rl/clean", listing({"id": "urn:uuid:someone-else", "revocationReason": "Fraud"}))
    result = verify_badge(json.dumps(badge), fetcher=fetcher)
    assert result.valid, result.errors
    assert status(result) == (True, "not revoked (1EdTech revocation list)")


def test_an_empty_list_without_revoked_credentials_is_fine(issuers: Loopback, fetcher: Fetcher) -> None:
    badge = revocable("/rl/empty")
    issuers.serve("/edu/rl/empty", {"id": "https://example.edu/rl/empty", "issuer": DID})
    assert verify_badge(json.dumps(badge), fetcher=fetcher).valid


def test_a_list_of_another_issuer_is_refused(issuers: Loopback, fetcher: Fetcher) -> None:
    badge = revocable("/rl/foreign")
    issuers.serve("/edu/rl/foreign", listing(issuer="did:example:someone-else"))
    ok, detail = status(verify_badge(json.dumps(badge), fetcher=fetcher))
    assert not ok and "not the credential issuer's" in detail


def test_a_malformed_list_fails(issuers: Loopback, fetcher: Fetcher) -> None:
    badge = revocable("/rl/malformed")
    issuers.serve("/edu/rl/malformed", {"issuer": DID, "revokedCredentials": "everyone"})
    ok, detail = status(verify_badge(json.dumps(badge), fetcher=fetcher))
    assert not ok and "not a list" in detail


def test_a_missing_list_fails_rather_than_passes(issuers: Loopback, fetcher: Fetcher) -> None:
    result = verify_badge(json.dumps(revocable("/rl/nowhere")), fetcher=fetcher)
    assert not result.valid
    assert status(result) == (False, "can't check revocation: https://example.edu/rl/nowhere answered HTTP 404")


def test_an_unreachable_list_fails_cleanly() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    fetcher = Fetcher(timeout=1, origins={ISSUER_SITE: f"http://127.0.0.1:{port}"})
    ok, detail = status(verify_badge(json.dumps(revocable("/rl/down")), fetcher=fetcher))
    assert not ok and detail == "can't check revocation: can't reach https://example.edu/rl/down (ConnectError)"


def test_a_slow_list_times_out(issuers: Loopback, fetcher: Fetcher) -> None:
    badge = revocable("/rl/slow")
    issuers.serve("/edu/rl/slow", listing())
    issuers.slow["/edu/rl/slow"] = 2.0
    result = verify_badge(json.dumps(badge), fetcher=dataclasses.replace(fetcher, timeout=0.3))
    assert status(result) == (False, "can't check revocation: https://example.edu/rl/slow did not answer within 0.3 s")


def test_a_list_on_a_private_address_is_not_fetched() -> None:
    document = credential()
    document["credentialStatus"] = {"id": "http://127.0.0.1:9/revocations", "type": "1EdTechRevocationList"}
    ok, detail = status(verify_badge(json.dumps(sign_di(document)), fetcher=Fetcher(timeout=1)))
    assert not ok and "does not fetch from local or private addresses" in detail


def test_a_signed_list_is_verified_and_read(issuers: Loopback, fetcher: Fetcher) -> None:
    badge = revocable("/rl/signed")
    issuers.serve("/edu/rl/signed", signed_listing("/rl/signed", {"id": badge["id"], "revocationReason": "Withdrawn"}))
    assert status(verify_badge(json.dumps(badge), fetcher=fetcher)) == (
        False, "the issuer has revoked this credential: Withdrawn")
    clean = revocable("/rl/signed-clean")
    issuers.serve("/edu/rl/signed-clean", signed_listing("/rl/signed-clean"))
    assert status(verify_badge(json.dumps(clean), fetcher=fetcher)) == (
        True, "not revoked (signed 1EdTech revocation list)")


def test_a_tampered_signed_list_fails(issuers: Loopback, fetcher: Fetcher) -> None:
    badge = revocable("/rl/tampered")
    document = signed_listing("/rl/tampered", {"id": badge["id"]})
    document["credentialSubject"]["revokedCredentials"] = []  # someone hides the revocation
    issuers.serve("/edu/rl/tampered", document)
    ok, detail = status(verify_badge(json.dumps(badge), fetcher=fetcher))
    assert not ok and detail.startswith("the revocation list does not verify: proof:")


def test_a_list_signed_by_another_key_fails(issuers: Loopback, fetcher: Fetcher) -> None:
    badge = revocable("/rl/forged")
    forged = signed_listing("/rl/forged")
    del forged["proof"]
    issuers.serve("/edu/rl/forged", sign_di(forged, key=OTHER_KEY))
    ok, detail = status(verify_badge(json.dumps(badge), fetcher=fetcher))
    assert not ok and "does not verify" in detail


def test_a_credential_without_an_id_cannot_be_looked_up(fetcher: Fetcher) -> None:
    document = credential()
    del document["id"]
    document["credentialStatus"] = {"id": ISSUER_SITE + "/rl/x", "type": "1EdTechRevocationList"}
    ok, detail = status(verify_badge(json.dumps(sign_di(document)), fetcher=fetcher))
    assert not ok and detail == "the credential has no id to look up in its revocation list"
