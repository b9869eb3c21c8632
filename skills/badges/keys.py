"""Issuer keys as public JWKs: did:key decoded offline, did:web and HTTP verification methods fetched."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import unquote

import base58

from skills.badges.fetch import Fetcher, FetchError
from skills.badges.result import CheckFailed

_ED25519_PREFIX = b"\xed\x01"


def b64url(data: bytes) -> str:
    """Unpadded base64url text."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def multibase_decode(value: str) -> bytes:
    """Decode base58btc (`z`) or base64url (`u`) multibase text."""
    if value.startswith("z"):
        return bytes(base58.b58decode(value[1:]))
    if value.startswith("u"):
        return base64.urlsafe_b64decode(value[1:] + "=" * (-len(value[1:]) % 4))
    raise ValueError("unsupported multibase encoding")


def ed25519_jwk(raw: bytes) -> dict[str, str]:
    """A public Ed25519 JWK from 32 raw key bytes."""
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}


def multikey_jwk(multibase: str) -> dict[str, str]:
    """The JWK of an Ed25519 multikey (`z6Mk...`), or CheckFailed."""
    try:
        data = multibase_decode(multibase)
    except ValueError:
        raise CheckFailed("proof", "the key is not valid multibase") from None
    if not data.startswith(_ED25519_PREFIX) or len(data) != 34:
        raise CheckFailed("proof", "only Ed25519 multikeys are supported")
    return ed25519_jwk(data[2:])


def did_key_jwk(did: str) -> dict[str, str]:
    """The public key a did:key names (Ed25519), decoded offline."""
    return multikey_jwk(did.split("#", 1)[0].removeprefix("did:key:"))


def did_web_url(did: str) -> str:
    """The HTTPS URL of a did:web document."""
    parts = [unquote(p) for p in did.split("#", 1)[0].removeprefix("did:web:").split(":")]
    path = "/".join(parts[1:]) or ".well-known"
    return f"https://{parts[0]}/{path}/did.json"


def _methods(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = [document]
    for rel in ("verificationMethod", "assertionMethod", "publicKey"):
        value = document.get(rel, [])
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                found.append(item)
    return found


def _method_jwk(method: dict[str, Any]) -> dict[str, Any]:
    if isinstance(method.get("publicKeyJwk"), dict):
        return {k: v for k, v in method["publicKeyJwk"].items() if k not in ("d", "p", "q", "dp", "dq", "qi")}
    if isinstance(method.get("publicKeyMultibase"), str):
        return multikey_jwk(method["publicKeyMultibase"])
    raise CheckFailed("proof", "the verification method carries no supported public key")


def _controller(method: dict[str, Any], document: dict[str, Any]) -> str | None:
    controller = method.get("controller") or document.get("controller") or document.get("id")
    return controller if isinstance(controller, str) else None


def resolve_key(method_id: str, *, issuer_id: str | None, fetcher: Fetcher) -> dict[str, Any]:
    """The public JWK of a verification method, which must belong to the issuer; CheckFailed otherwise."""
    base = method_id.split("#", 1)[0]
    if method_id.startswith("did:key:"):
        if issuer_id is not None and base != issuer_id:
            raise CheckFailed("proof", f"the key {base} is not the issuer's ({issuer_id})")
        return did_key_jwk(method_id)
    url = did_web_url(method_id) if method_id.startswith("did:web:") else base
    try:
        document = fetcher.get_json(url)
    except FetchError as exc:
        raise CheckFailed("proof", f"can't get the issuer's key: {exc}") from None
    for method in _methods(document):
        mid = method.get("id", "")
        if isinstance(mid, str) and (mid == method_id or base + mid == method_id):
            if issuer_id is not None and _controller(method, document) != issuer_id:
                raise CheckFailed("proof", f"the key {method_id} is not controlled by the issuer {issuer_id}")
            return _method_jwk(method)
    raise CheckFailed("proof", f"the key {method_id} is not in the document at {url}")
