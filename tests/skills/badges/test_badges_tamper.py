"""Tampered, wrong-key, unknown-context and malformed credentials fail with the right named check."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from skills.badges.fetch import Fetcher
from skills.badges.verify import verify_badge
from tests.skills.badges.badge_helpers import OTHER_DID, OTHER_KEY, credential, load, sign_di

OFFLINE = Fetcher(offline=True)
FIXTURE = "verifiableCredentials/v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-basicOBv3.json"
ED2020 = "verifiableCredentials/v2/ed25519/didKey/legacy-noStatus-noExpiry.json"


def one_char(text: str) -> str:
    """The text with its last character changed."""
    return text[:-1] + ("x" if text[-1] != "x" else "y")


def _subject(d: dict[str, Any]) -> None:
    subject = d["credentialSubject"]
    key = "name" if "name" in subject else "id"
    subject[key] = one_char(subject[key])


def _achievement(d: dict[str, Any]) -> None:
    d["credentialSubject"]["achievement"]["name"] = one_char(d["credentialSubject"]["achievement"]["name"])


def _issuer(d: dict[str, Any]) -> None:
    d["issuer"]["name"] = one_char(d["issuer"]["name"])


def _proof_value(d: dict[str, Any]) -> None:
    proofs = d["proof"] if isinstance(d["proof"], list) else [d["proof"]]
    proofs[0]["proofValue"] = one_char(proofs[0]["proofValue"])


def verify(document: dict[str, Any]) -> Any:
    return verify_badge(json.dumps(document), fetcher=OFFLINE)


@pytest.mark.parametrize("path", [FIXTURE, ED2020])
@pytest.mark.parametrize("tamper", [_subject, _achievement, _issuer, _proof_value])
def test_one_changed_character_breaks_the_proof(path: str, tamper: Callable[[dict[str, Any]], None]) -> None:
    document = load(path)
    assert verify(document).valid
    changed = copy.deepcopy(document)
    tamper(changed)
    result = verify(changed)
    assert not result.valid and result.failed == "proof", result.errors


def test_a_credential_signed_here_verifies_and_its_tampered_copy_does_not() -> None:
    signed = sign_di(credential())
    assert verify(signed).valid
    for tamper in (_achievement, _issuer, _proof_value):
        changed = copy.deepcopy(signed)
        tamper(changed)
        assert verify(changed).failed == "proof"


def test_signed_by_another_key_fails_the_proof() -> None:
    signed = sign_di(credential(), key=OTHER_KEY)
    result = verify(signed)
    assert result.failed == "proof" and "does not match" in result.errors[0]


def test_a_key_that_is_not_the_issuers_fails_the_proof() -> None:
    signed = sign_di(credential(), key=OTHER_KEY, method=f"{OTHER_DID}#{OTHER_DID.removeprefix('did:key:')}")
    result = verify(signed)
    assert result.failed == "proof" and "not the issuer's" in result.errors[0]


def test_an_unknown_context_fails_without_a_network_call() -> None:
    document = load(FIXTURE)
    document["@context"].append("https://example.com/my-context.json")
    result = verify(document)
    assert result.failed == "context" and "unknown JSON-LD context" in result.errors[0]


def test_an_added_undefined_term_is_refused() -> None:
    document = load(FIXTURE)
    document["credentialSubject"]["grade"] = "A+"
    result = verify(document)
    assert result.failed == "context" and "grade" in result.errors[0]


def test_a_first_context_that_is_not_the_vc_context_is_refused() -> None:
    document = load(FIXTURE)
    document["@context"].reverse()
    assert verify(document).failed == "context"


@pytest.mark.parametrize(
    ("source", "check"),
    [
        (b"", "parse"),
        (b"{not json", "parse"),
        (b"[1, 2]", "parse"),
        (b"\xff\xfe\x00garbage", "parse"),
        (b'{"hello": "world"}', "parse"),
        (b"a.b.c", "parse"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "parse"),
        (b"<svg></svg>", "parse"),
    ],
)
def test_malformed_input_fails_parse(source: bytes, check: str) -> None:
    result = verify_badge(source, fetcher=OFFLINE)
    assert not result.valid and result.failed == check and result.format == "unknown"


def test_missing_structure_fails_schema() -> None:
    document = sign_di(credential())
    del document["credentialSubject"]["achievement"]["name"]
    assert verify(document).failed == "schema"
    no_issuer_id = credential()
    no_issuer_id["issuer"] = {"type": ["Profile"], "name": "Nobody"}
    assert verify(no_issuer_id).failed == "schema"


def test_no_proof_fails_the_proof_check() -> None:
    assert verify(credential()).failed == "proof"


def test_unsupported_suite_fails_the_proof_check() -> None:
    document = sign_di(credential())
    document["proof"]["cryptosuite"] = "ecdsa-rdfc-2019"
    assert verify(document).failed == "proof"


def test_expired_credential_fails_validity() -> None:
    document = sign_di(credential(valid_until="2025-01-01T00:00:00Z"))
    result = verify(document)
    assert result.failed == "validity" and "expired" in result.errors[0]
