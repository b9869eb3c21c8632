"""Proofs on what Badger issues: Data Integrity eddsa-rdfc-2022 (default) or a VC-JWT (OB 3.0 JOSE)."""

from __future__ import annotations

import json
import warnings
from datetime import datetime
from typing import Any

import base58
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from joserfc import jws
from joserfc.jwk import OKPKey

from skills.badges.data_integrity import hash_data
from skills.badges.keys import b64url
from skills.issuing.build import utc_text
from skills.issuing.keyring import IssuerKey


def add_proof(document: dict[str, Any], *, key: IssuerKey, method: str, created: datetime) -> dict[str, Any]:
    """The document with an eddsa-rdfc-2022 DataIntegrityProof (RDFC-1.0 over pyld and the shipped contexts)."""
    proof = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": utc_text(created),
             "verificationMethod": method, "proofPurpose": "assertionMethod"}
    signature = key.sign(hash_data(document, proof))
    return {**document, "proof": {**proof, "proofValue": "z" + base58.b58encode(signature).decode()}}


def _jwk(key: IssuerKey) -> OKPKey:
    private = key.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": b64url(key.public_bytes), "d": b64url(private)})


def _seconds(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def sign_jwt(credential: dict[str, Any], *, key: IssuerKey, method: str, issuer: str) -> str:
    """A compact JWS (EdDSA) whose payload is the credential plus iss/jti/nbf/exp (OB 3.0 section 8.2.4.1)."""
    claims: dict[str, Any] = {**credential, "iss": issuer, "jti": credential["id"],
                              "nbf": _seconds(credential["validFrom"])}
    if "validUntil" in credential:
        claims["exp"] = _seconds(credential["validUntil"])
    header = {"alg": "EdDSA", "typ": "vc+jwt", "kid": method}
    payload = json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc flags "EdDSA" (RFC 9864); OB 3.0 verifiers still expect it
        return jws.serialize_compact(header, payload, _jwk(key), algorithms=["EdDSA"])
