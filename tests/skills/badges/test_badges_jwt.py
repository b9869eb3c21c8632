"""Open Badges 3.0 VC-JWT: keys from did:key, an HTTP kid; tampering, wrong keys and expiry fail."""

from __future__ import annotations

import json
import time
import warnings

from joserfc import jws

from skills.badges.fetch import Fetcher
from skills.badges.verify import verify_badge
from tests.skills.badges.badge_helpers import (
    OTHER_KEY,
    PRIVATE,
    VECTOR,
    Loopback,
    credential,
    okp,
    png_with,
    sign_jwt,
)

OFFLINE = Fetcher(offline=True)


def test_a_vc_jwt_verifies() -> None:
    result = verify_badge(sign_jwt(credential()), fetcher=OFFLINE)
    assert result.valid, result.errors
    assert result.format == "ob3-jwt" and result.achievement == "Python for Everybody"
    assert [c.name for c in result.checks] == [
        "parse", "context", "schema", "credential_schema", "proof", "status", "validity", "endorsements"]


def test_a_tampered_payload_fails_the_proof() -> None:
    token = sign_jwt(credential())
    header, _payload, signature = token.split(".")
    other = sign_jwt(credential(name="Python for Everybodx")).split(".")[1]
    result = verify_badge(f"{header}.{other}.{signature}", fetcher=OFFLINE)
    assert result.failed == "proof"


def test_a_tampered_signature_fails_the_proof() -> None:
    token = sign_jwt(credential())
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert verify_badge(flipped, fetcher=OFFLINE).failed == "proof"


def test_signed_with_another_key_fails_the_proof() -> None:
    assert verify_badge(sign_jwt(credential(), key=OTHER_KEY), fetcher=OFFLINE).failed == "proof"


def test_an_expired_jwt_fails() -> None:
    token = sign_jwt(credential(), claims={"exp": int(time.time()) - 60})
    result = verify_badge(token, fetcher=OFFLINE)
    assert not result.valid and result.failed == "validity" and result.errors == ["validity: the JWT has expired"]
    fresh = verify_badge(sign_jwt(credential(), claims={"exp": int(time.time()) + 600}), fetcher=OFFLINE)
    assert fresh.valid  # the same token not yet expired passes: the expiry alone failed it


def test_iss_must_be_the_issuer() -> None:
    token = sign_jwt(credential(), claims={"iss": "did:example:someone-else"})
    assert verify_badge(token, fetcher=OFFLINE).failed == "proof"


def test_kid_resolved_over_http(issuers: Loopback, fetcher: Fetcher) -> None:
    issuers.serve("/edu/issuers/565049", {
        "id": VECTOR["controller"],
        "verificationMethod": [{"id": VECTOR["id"], "type": "Multikey", "controller": VECTOR["controller"],
                                "publicKeyMultibase": VECTOR["publicKeyMultibase"]}],
    })
    token = sign_jwt(credential(issuer=VECTOR["controller"]), kid=VECTOR["id"])
    result = verify_badge(token, fetcher=fetcher)
    assert result.valid, result.errors


def test_a_jwt_baked_in_a_png_verifies() -> None:
    result = verify_badge(png_with(sign_jwt(credential())), fetcher=OFFLINE)
    assert result.valid and result.format == "ob3-jwt"


def test_a_vc_1_1_jwt_gets_id_issuer_and_dates_from_its_claims() -> None:
    document = credential()
    document["@context"][0] = "https://www.w3.org/2018/credentials/v1"
    document["credentialSchema"] = [{"id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
                                           "ob_v3p0_achievementcredential_schema.json",
                                     "type": "1EdTechJsonSchemaValidator2019"}]
    did, jti = document["issuer"]["id"], document["id"]
    slim = {k: v for k, v in document.items() if k not in ("id", "validFrom")}
    slim["issuer"] = {k: v for k, v in document["issuer"].items() if k != "id"}
    payload = {"iss": did, "jti": jti, "nbf": 1704067200, "vc": slim}
    header = {"alg": "EdDSA", "typ": "JWT", "kid": f"{did}#{did.removeprefix('did:key:')}"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        token = jws.serialize_compact(header, json.dumps(payload).encode(), okp(PRIVATE), algorithms=["EdDSA"])
    result = verify_badge(token, fetcher=OFFLINE)
    assert result.valid, result.errors
    assert result.credential["issuanceDate"] == "2024-01-01T00:00:00Z" and result.credential_id == jti
