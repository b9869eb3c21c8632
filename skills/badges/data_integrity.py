"""Embedded Data Integrity proofs: eddsa-rdfc-2022 and Ed25519Signature2020."""

from __future__ import annotations

import base64
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from skills.badges.fetch import Fetcher
from skills.badges.keys import multibase_decode, resolve_key
from skills.badges.linked_data import canonical_hash
from skills.badges.result import CheckFailed

SUITES = ("eddsa-rdfc-2022", "Ed25519Signature2020")


def suite_of(proof: dict[str, Any]) -> str:
    """The proof's suite name: the cryptosuite of a DataIntegrityProof, else its type."""
    if proof.get("type") == "DataIntegrityProof":
        return str(proof.get("cryptosuite", ""))
    return str(proof.get("type", ""))


def hash_data(document: dict[str, Any], proof: dict[str, Any]) -> bytes:
    """The bytes both suites sign: hash(canonical proof options) + hash(canonical unsigned document)."""
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    options["@context"] = document.get("@context")
    return canonical_hash(options) + canonical_hash(unsigned)


def _public_key(jwk: dict[str, Any]) -> Ed25519PublicKey:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise CheckFailed("proof", "the issuer's key is not an Ed25519 key")
    raw = base64.urlsafe_b64decode(str(jwk["x"]) + "=" * (-len(str(jwk["x"])) % 4))
    return Ed25519PublicKey.from_public_bytes(raw)


def verify_proof(document: dict[str, Any], proof: dict[str, Any], *, issuer_id: str, fetcher: Fetcher) -> str:
    """Verify one proof on the document; returns its suite name, or raises CheckFailed("proof", ...)."""
    suite = suite_of(proof)
    if suite not in SUITES:
        raise CheckFailed("proof", f"unsupported proof suite {suite or proof.get('type')!r}")
    if proof.get("proofPurpose") != "assertionMethod":
        raise CheckFailed("proof", "the proof's purpose is not assertionMethod")
    method = proof.get("verificationMethod")
    value = proof.get("proofValue")
    if not isinstance(method, str) or not isinstance(value, str):
        raise CheckFailed("proof", "the proof lacks its verificationMethod or proofValue")
    key = _public_key(resolve_key(method, issuer_id=issuer_id, fetcher=fetcher))
    try:
        signature = multibase_decode(value)
    except ValueError:
        raise CheckFailed("proof", "the proofValue is not multibase") from None
    try:
        key.verify(signature, hash_data(document, proof))
    except InvalidSignature:
        raise CheckFailed("proof", f"the {suite} signature does not match the credential") from None
    return suite
