"""Who issues: the organisation's profile, its DID (did:web for a domain, else did:key) and DID document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from core.errors import ConfigurationError
from skills.issuing.keyring import IssuerKey, check_permissions, load_keys

if TYPE_CHECKING:
    from core.settings import Settings

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


def did_web(domain: str) -> str:
    """The did:web of a domain (a port's colon is percent-encoded, as the method requires)."""
    return "did:web:" + quote(domain.strip().strip("/"), safe="")


@dataclass(frozen=True)
class Issuer:
    """The issuing organisation: profile fields, keys (last one signs) and where its documents are served."""

    name: str
    keys: tuple[IssuerKey, ...]
    public_url: str
    domain: str | None = None
    url: str | None = None
    image: str | None = None
    email: str | None = None
    proof_format: str = "eddsa-rdfc-2022"

    @property
    def signing_key(self) -> IssuerKey:
        """The newest key."""
        return self.keys[-1]

    @property
    def did(self) -> str:
        """did:web for a configured domain, else the signing key's did:key."""
        return did_web(self.domain) if self.domain else f"did:key:{self.signing_key.multikey}"

    @property
    def verification_method(self) -> str:
        """The id of the key that signs new credentials."""
        return self.method_id(self.signing_key)

    def method_id(self, key: IssuerKey) -> str:
        """A key's verification method id under this issuer's DID."""
        if self.domain:
            return f"{self.did}#{key.name}"
        return f"did:key:{key.multikey}#{key.multikey}"

    def profile(self) -> dict[str, Any]:
        """The OB 3.0 issuer Profile embedded in each credential."""
        profile: dict[str, Any] = {"id": self.did, "type": ["Profile"], "name": self.name}
        if self.url:
            profile["url"] = self.url
        if self.image:
            profile["image"] = {"id": self.image, "type": "Image"}
        if self.email:
            profile["email"] = self.email
        return profile

    def did_document(self) -> dict[str, Any]:
        """The DID document served at /.well-known/did.json: every key, old ones included, may assert."""
        methods = [{"id": self.method_id(k), "type": "Multikey", "controller": self.did,
                    "publicKeyMultibase": k.multikey} for k in self.keys]
        return {"@context": DID_CONTEXTS, "id": self.did, "verificationMethod": methods,
                "assertionMethod": [m["id"] for m in methods]}

    def status_url(self, list_id: int) -> str:
        """Where status list `list_id` is served."""
        return f"{self.public_url}/status/{list_id}"

    def credential_url(self, uid: str) -> str:
        """The public URL (and id) of an issued credential."""
        return f"{self.public_url}/credentials/{uid}"


def issuer_from_settings(settings: Settings) -> Issuer:
    """The configured issuer with its keys loaded; ConfigurationError names the setting to fix."""
    if not settings.badger_issuer_name.strip():
        raise ConfigurationError("set BADGER_ISSUER_NAME (the organisation named as the badge's issuer) to issue "
                                 "Open Badges")
    public = settings.public_base_url
    if public is None:
        raise ConfigurationError("set BADGER_PUBLIC_URL (where `badger serve --http` is reachable) or "
                                 "BADGER_ISSUER_DOMAIN, so issued badges have a public page and status list")
    keys = load_keys(settings.issuer_key_path)
    return Issuer(name=settings.badger_issuer_name.strip(), keys=tuple(keys), public_url=public,
                  domain=settings.badger_issuer_domain, url=settings.badger_issuer_url,
                  image=settings.badger_issuer_image, email=settings.badger_issuer_email,
                  proof_format=settings.badger_issuer_proof_format)


def refuse_exposed_key(settings: Settings) -> None:
    """KeyProblem when an issuer key file exists but others can read it (`badger serve` refuses to start)."""
    if settings.issuer_key_path.exists():
        check_permissions(settings.issuer_key_path)
