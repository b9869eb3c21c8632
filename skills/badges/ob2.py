"""Open Badges 2.0 assertions: hosted (fetched from the issuer's origin) and signed (JWS, CryptographicKey)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from skills.badges.fetch import Fetcher, FetchError
from skills.badges.jose import verify_signature
from skills.badges.keys import b64url
from skills.badges.result import CheckFailed, Verification

OB2_CONTEXT = "https://w3id.org/openbadges/v2"


def _origin(url: Any) -> str:
    parts = urlsplit(str(url))
    return f"{parts.scheme}://{parts.netloc}"


def _get(value: Any, what: str, fetcher: Fetcher, check: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    try:
        return fetcher.get_json(str(value))
    except FetchError as exc:
        raise CheckFailed(check, f"can't get the {what}: {exc}") from None


def pem_jwk(pem: str) -> dict[str, Any]:
    """A public JWK from a PEM public key (RSA, EC P-256 or Ed25519)."""
    try:
        key = load_pem_public_key(pem.encode())
    except ValueError:
        raise CheckFailed("proof", "the issuer's CryptographicKey is not a valid PEM public key") from None
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        return {"kty": "RSA", "n": b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
                "e": b64url(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big"))}
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1":
        ecn = key.public_numbers()
        x, y = ecn.x.to_bytes(32, "big"), ecn.y.to_bytes(32, "big")
        return {"kty": "EC", "crv": "P-256", "x": b64url(x), "y": b64url(y)}
    if isinstance(key, ed25519.Ed25519PublicKey):
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(key.public_bytes(Encoding.Raw, PublicFormat.Raw))}
    raise CheckFailed("proof", "unsupported key type in the CryptographicKey")


class _Ob2:
    def __init__(self, assertion: dict[str, Any], fetcher: Fetcher, token: str | None) -> None:
        self.assertion = assertion
        self.fetcher = fetcher
        self.token = token
        self.badge: dict[str, Any] = {}
        self.issuer: dict[str, Any] = {}

    def context(self) -> str:
        ctx = self.assertion.get("@context")
        if ctx != OB2_CONTEXT:
            raise CheckFailed("context", f"an Open Badges 2.0 assertion needs the context {OB2_CONTEXT}")
        return OB2_CONTEXT

    def schema(self) -> str:
        a = self.assertion
        if a.get("type") not in ("Assertion", ["Assertion"]):
            raise CheckFailed("schema", "type must be Assertion")
        for field in ("id", "recipient", "badge", "verification", "issuedOn"):
            if not a.get(field):
                raise CheckFailed("schema", f"the assertion has no {field}")
        return "Assertion"

    def badge_class(self) -> str:
        self.badge = _get(self.assertion["badge"], "BadgeClass", self.fetcher, "badge_class")
        if not self.badge.get("name") or not self.badge.get("issuer"):
            raise CheckFailed("badge_class", "the BadgeClass needs a name and an issuer")
        return str(self.badge["name"])

    def issuer_profile(self) -> str:
        self.issuer = _get(self.badge["issuer"], "issuer profile", self.fetcher, "issuer")
        expected = self.badge["issuer"] if isinstance(self.badge["issuer"], str) else self.issuer.get("id")
        if self.issuer.get("id") != expected or not self.issuer.get("name"):
            raise CheckFailed("issuer", "the issuer profile is not the one the BadgeClass names, or has no name")
        return str(self.issuer["name"])

    def proof(self) -> str:
        return self._signed() if self.token is not None else self._hosted()

    def _hosted(self) -> str:
        url = str(self.assertion["id"])
        if urlsplit(url).scheme not in ("http", "https"):
            raise CheckFailed("proof", "a hosted assertion's id must be its URL")
        home = _origin(self.issuer.get("url") or self.issuer.get("id"))
        allowed = self.assertion["verification"].get("allowedOrigins") or [home]
        if _origin(url) not in (allowed if isinstance(allowed, list) else [allowed]):
            raise CheckFailed("proof", f"the assertion is not hosted on the issuer's origin ({_origin(url)})")
        hosted = _get(url, "hosted assertion", self.fetcher, "proof")
        if hosted.get("id") != url or hosted.get("badge") != self.assertion.get("badge") \
                or hosted.get("recipient") != self.assertion.get("recipient"):
            raise CheckFailed("proof", "the hosted copy differs from this assertion")
        if hosted.get("revoked"):
            reason = hosted.get("revocationReason")
            raise CheckFailed("status", "the issuer has revoked this badge" + (f": {reason}" if reason else ""))
        return f"hosted at {url}"

    def _signed(self) -> str:
        assert self.token is not None
        creator = self.assertion["verification"].get("creator") or self.issuer.get("publicKey")
        key_doc = _get(creator, "CryptographicKey", self.fetcher, "proof")
        if key_doc.get("owner") != self.issuer.get("id"):
            raise CheckFailed("proof", "the signing key does not belong to the issuer")
        verify_signature(self.token, pem_jwk(str(key_doc.get("publicKeyPem", ""))))
        return f"signed with {key_doc.get('id')}"

    def status(self) -> str:
        url = self.issuer.get("revocationList")
        if not url:
            return "no revocation list"
        listing = _get(url, "revocation list", self.fetcher, "status")
        aid, uid = self.assertion.get("id"), self.assertion.get("uid")
        for entry in listing.get("revokedAssertions", []):
            item = entry if isinstance(entry, dict) else {"id": entry}
            if (aid and item.get("id") == aid) or (uid and item.get("uid") == uid):
                reason = item.get("revocationReason")
                raise CheckFailed("status", "the issuer has revoked this badge" + (f": {reason}" if reason else ""))
        return "not revoked"

    def validity(self) -> str:
        expires = self.assertion.get("expires")
        if not expires:
            return "no expiry"
        try:
            moment = datetime.fromisoformat(str(expires).replace("Z", "+00:00"))
        except ValueError:
            raise CheckFailed("validity", "expires is not a date-time") from None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if moment <= datetime.now(UTC):
            raise CheckFailed("validity", f"the badge expired on {moment:%Y-%m-%d}")
        return f"valid until {moment:%Y-%m-%d}"

    def endorsements(self) -> str:
        named = [where for where, document in (("the assertion", self.assertion), ("the BadgeClass", self.badge),
                                                ("the issuer", self.issuer)) if document.get("endorsement")]
        if not named:
            return "none"
        return "not checked: endorsements are optional in Open Badges 2.0 (" + ", ".join(named) + " names some)"


def verify_ob2(assertion: dict[str, Any], *, fetcher: Fetcher, token: str | None = None) -> Verification:
    """Verify an Open Badges 2.0 assertion (format `ob2-hosted`, or `ob2-signed` with its JWS)."""
    result = Verification(format="ob2-signed" if token else "ob2-hosted", credential=assertion)
    run = _Ob2(assertion, fetcher, token)
    steps: list[tuple[str, Callable[[], str]]] = [
        ("context", run.context), ("schema", run.schema), ("badge_class", run.badge_class),
        ("issuer", run.issuer_profile), ("proof", run.proof), ("status", run.status), ("validity", run.validity),
        ("endorsements", run.endorsements),
    ]
    for name, step in steps:
        try:
            result.ok(name, step())
        except CheckFailed as exc:
            result.fail(exc.name, exc.detail)
            if name not in ("status", "validity"):
                break
    result.badge_class = run.badge
    result.achievement, result.achievement_id = run.badge.get("name"), run.badge.get("id")
    result.issuer, result.issuer_id = run.issuer.get("name"), run.issuer.get("id")
    result.credential_id = assertion.get("id")
    return result
