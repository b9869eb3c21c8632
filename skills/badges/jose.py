"""VC-JWT (Open Badges 3.0 JOSE) and OB 2.0 signed assertions: compact JWS verified with joserfc."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry

from skills.badges.contexts import context_urls
from skills.badges.fetch import Fetcher
from skills.badges.keys import did_key_jwk, resolve_key
from skills.badges.ob3 import VC_CONTEXTS, issuer_id, run_checks
from skills.badges.result import CheckFailed, Verification

ALGORITHMS = ["EdDSA", "Ed25519", "ES256", "ES384", "RS256", "RS384", "RS512", "PS256"]


def split_jws(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The unverified header and JSON payload of a compact JWS, or CheckFailed("parse")."""
    try:
        obj = jws.extract_compact(token.strip().encode())
        payload = json.loads(obj.payload)
    except (JoseError, ValueError):
        raise CheckFailed("parse", "not a compact JWS with a JSON payload") from None
    if not isinstance(payload, dict):
        raise CheckFailed("parse", "the JWS payload is not a JSON object")
    return dict(obj.headers()), payload


def verify_signature(token: str, jwk: dict[str, Any], name: str = "proof") -> None:
    """Verify the JWS signature with a public JWK; CheckFailed(name) when it does not match."""
    try:
        key = JWKRegistry.import_key(jwk)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            jws.deserialize_compact(token.strip(), key, algorithms=ALGORITHMS)
    except JoseError as exc:
        raise CheckFailed(name, f"the JWS signature does not verify ({exc.error})") from None
    except ValueError:
        raise CheckFailed(name, "the issuer's key can't be used to verify this JWS") from None


def _jwt_key(header: dict[str, Any], issuer: str, fetcher: Fetcher) -> dict[str, Any]:
    kid = header.get("kid")
    if isinstance(kid, str) and kid:
        method = kid if ":" in kid.split("#", 1)[0] else issuer + (kid if kid.startswith("#") else "#" + kid)
        return resolve_key(method, issuer_id=issuer, fetcher=fetcher)
    if issuer.startswith("did:key:"):
        key = did_key_jwk(issuer)
        if isinstance(header.get("jwk"), dict) and header["jwk"].get("x") != key["x"]:
            raise CheckFailed("proof", "the JWS header's jwk is not the issuer's key")
        return key
    raise CheckFailed("proof", "the JWS names no key (kid) of the issuer")


def _claims(payload: dict[str, Any], credential: dict[str, Any], issuer: str) -> None:
    if "iss" in payload and payload["iss"] != issuer:
        raise CheckFailed("proof", "the JWT's iss is not the credential's issuer")
    if "jti" in payload and credential.get("id") not in (None, payload["jti"]):
        raise CheckFailed("proof", "the JWT's jti is not the credential's id")
    now = datetime.now(UTC).timestamp()
    if isinstance(payload.get("exp"), int | float) and payload["exp"] <= now:
        raise CheckFailed("validity", "the JWT has expired")
    if isinstance(payload.get("nbf"), int | float) and payload["nbf"] > now:
        raise CheckFailed("validity", "the JWT is not valid yet")


def _vc_claim(payload: dict[str, Any]) -> dict[str, Any]:
    """The `vc` claim; for VC 1.1, with id, issuer and dates filled in from jti, iss, nbf and exp (VC-JWT 1.1)."""
    credential = dict(payload["vc"])
    if context_urls(credential)[:1] != [VC_CONTEXTS[0]]:
        return credential
    if isinstance(payload.get("jti"), str):
        credential.setdefault("id", payload["jti"])
    if isinstance(payload.get("iss"), str):
        issuer = credential.setdefault("issuer", payload["iss"])
        if isinstance(issuer, dict) and "id" not in issuer:
            credential["issuer"] = {"id": payload["iss"], **issuer}
    for claim, name in (("nbf", "issuanceDate"), ("exp", "expirationDate")):
        if isinstance(payload.get(claim), int | float):
            moment = datetime.fromtimestamp(payload[claim], UTC)
            credential.setdefault(name, moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return credential


def verify_vc_jwt(token: str, *, fetcher: Fetcher, endorsements: bool = True) -> Verification:
    """Verify an Open Badges 3.0 VC-JWT (format `ob3-jwt`): `vc` claim (VC 1.1) or the payload (VC 2.0)."""
    result = Verification(format="ob3-jwt")
    try:
        header, payload = split_jws(token)
    except CheckFailed as exc:
        result.fail(exc.name, exc.detail)
        return result
    credential = _vc_claim(payload) if isinstance(payload.get("vc"), dict) else payload
    result.ok("parse", f"JWS {header.get('alg')}")

    def prove() -> str:
        issuer = issuer_id(credential) or str(payload.get("iss", ""))
        verify_signature(token, _jwt_key(header, issuer, fetcher))
        _claims(payload, credential, issuer)
        return f"JWS {header.get('alg')} by {issuer}"

    return run_checks(result, credential, fetcher=fetcher, prove=prove, signed_bytes=True,
                      with_endorsements=endorsements)
