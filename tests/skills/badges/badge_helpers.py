"""Test helpers: a loopback HTTP server for issuers, and signers for OB 3.0 credentials (the 1EdTech test key)."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import struct
import threading
import time
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jws
from joserfc.jwk import OKPKey

from skills.badges.data_integrity import hash_data

DATA = Path(__file__).parents[2] / "data" / "badges"
VCS = DATA / "verifiableCredentials"
VECTOR = json.loads((DATA / "ob3" / "ob_v3p0_linked-data-proof-ob__keypair_and_vector.json").read_text())
PRIVATE = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(VECTOR["privateKeyHex"])[:32])
PUBLIC_RAW = bytes.fromhex(VECTOR["publicKeyHex"])
DID = "did:key:z" + base58.b58encode(b"\xed\x01" + PUBLIC_RAW).decode()
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(b"\x07" * 32)
OTHER_DID = "did:key:z" + base58.b58encode(b"\xed\x01" + OTHER_KEY.public_key().public_bytes_raw()).decode()


class Loopback:
    """A real HTTP server on 127.0.0.1 serving `routes` (path -> body); paths in `slow` answer after a delay."""

    def __init__(self) -> None:
        self.routes: dict[str, bytes] = {}
        self.slow: dict[str, float] = {}
        self.redirects: dict[str, str] = {}
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits.append(self.path)
                time.sleep(server.slow.get(self.path, 0))
                if self.path in server.redirects:
                    self.send_response(302)
                    self.send_header("Location", server.redirects[self.path])
                    self.end_headers()
                    return
                body = server.routes.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body or b"{}")

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def serve(self, path: str, document: Any) -> str:
        """Serve a JSON document (or raw bytes) at `path`; returns its loopback URL."""
        self.routes[path] = document if isinstance(document, bytes) else json.dumps(document).encode()
        return self.base + path

    def serve_dir(self, prefix: str, folder: Path) -> None:
        """Serve every file under `folder` at `prefix` + its relative path."""
        for file in folder.rglob("*"):
            if file.is_file():
                self.routes[prefix + "/" + file.relative_to(folder).as_posix()] = file.read_bytes()


@contextmanager
def loopback() -> Iterator[Loopback]:
    """Run a Loopback server for the duration of the block."""
    server = Loopback()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def load(relative: str) -> dict[str, Any]:
    """A fixture document under tests/data/badges."""
    document: dict[str, Any] = json.loads((DATA / relative).read_text())
    return document


def email_identifier(email: str, salt: str = "s4lt") -> dict[str, Any]:
    """An OB 3.0 IdentityObject holding a salted hash of the email."""
    digest = hashlib.sha256((email + salt).encode()).hexdigest()
    return {"type": "IdentityObject", "identityHash": f"sha256${digest}", "identityType": "emailAddress",
            "hashed": True, "salt": salt}


def credential(*, email: str = "dana@example.com", name: str = "Python for Everybody",
               achievement_id: str = "urn:uuid:achievement-py", issuer: str = DID,
               issuer_name: str = "Test University", valid_until: str | None = None) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential (VC 2.0) for `email`."""
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": f"urn:uuid:cred-{hashlib.sha256((email + name).encode()).hexdigest()[:12]}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": issuer_name},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [email_identifier(email)],
            "achievement": {
                "id": achievement_id, "type": ["Achievement"], "name": name,
                "criteria": {"narrative": "Finished the course."}, "description": "A course.",
                "alignment": [{"type": ["Alignment"], "targetName": "Unit Testing",
                               "targetUrl": "https://example.com/skills/unit-testing"}],
            },
        },
    }
    if valid_until:
        document["validUntil"] = valid_until
    return document


def sign_di(document: dict[str, Any], *, key: Ed25519PrivateKey = PRIVATE, method: str | None = None) -> dict[str, Any]:
    """Add an eddsa-rdfc-2022 proof made with `key` (the 1EdTech test vector key by default)."""
    did = document["issuer"]["id"] if isinstance(document["issuer"], dict) else document["issuer"]
    proof = {"type": "DataIntegrityProof", "created": "2024-01-01T00:00:00Z", "cryptosuite": "eddsa-rdfc-2022",
             "verificationMethod": method or f"{did}#{did.removeprefix('did:key:')}", "proofPurpose": "assertionMethod"}
    signed = copy.deepcopy(document)
    proof["proofValue"] = "z" + base58.b58encode(key.sign(hash_data(signed, proof))).decode()
    signed["proof"] = proof
    return signed


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def okp(key: Ed25519PrivateKey) -> OKPKey:
    """The joserfc key for a cryptography Ed25519 private key."""
    raw = key.private_bytes_raw()
    public = key.public_key().public_bytes_raw()
    return OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "d": _b64(raw), "x": _b64(public)})


def sign_jwt(document: dict[str, Any], *, key: Ed25519PrivateKey = PRIVATE, kid: str | None = None,
             claims: dict[str, Any] | None = None) -> str:
    """A VC-JWT (VC 1.1 style `vc` claim) for the credential, signed EdDSA."""
    did = document["issuer"]["id"]
    payload = {"iss": did, "jti": document["id"], "nbf": 1704067200, "vc": document, **(claims or {})}
    header = {"alg": "EdDSA", "typ": "JWT", "kid": kid or f"{did}#{did.removeprefix('did:key:')}"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc flags "EdDSA" (RFC 9864); OB 3.0 issuers still use it
        return jws.serialize_compact(header, json.dumps(payload).encode(), okp(key), algorithms=["EdDSA"])


def png_with(text: str, keyword: str = "openbadgecredential", compressed: bool = False) -> bytes:
    """A 1x1 PNG with the badge baked into an iTXt chunk."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    data = zlib.compress(text.encode()) if compressed else text.encode()
    itxt = keyword.encode() + b"\0" + (b"\1\0" if compressed else b"\0\0") + b"\0\0" + data
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"iTXt", itxt)
            + chunk(b"IDAT", zlib.compress(b"\0\0")) + chunk(b"IEND", b""))


def svg_with(text: str) -> bytes:
    """An SVG with the badge baked into an openbadges:credential element."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        f"<openbadges:credential><![CDATA[{text}]]></openbadges:credential><rect width='1' height='1'/></svg>"
    ).encode()


def endorsement(*, subject_id: str, issuer: str = OTHER_DID, issuer_name: str = "Example Accrediting Agency",
                comment: str = "In good standing.") -> dict[str, Any]:
    """An unsigned EndorsementCredential (VC 2.0) of `subject_id`, by `issuer` (another did:key by default)."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": f"urn:uuid:endorsement-{hashlib.sha256((subject_id + comment).encode()).hexdigest()[:12]}",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": f"{issuer_name} endorsement",
        "issuer": {"id": issuer, "type": ["Profile"], "name": issuer_name},
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": subject_id, "type": ["EndorsementSubject"], "endorsementComment": comment},
    }
