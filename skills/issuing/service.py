"""Issue, revoke and look up Badger's own Open Badges; verify them offline with Badger's own verifier."""

from __future__ import annotations

import base64
import gzip
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from core.clock import aware
from core.errors import ConfigurationError, NotFoundError
from knowledge.models import Credential
from skills.access import Actor, acting_employee, get_employee, manages_or_admin, possessive
from skills.badges.fetch import Fetcher, FetchError
from skills.badges.keys import did_web_url
from skills.badges.result import Verification
from skills.badges.verify import verify_badge
from skills.errors import PermissionDenied, ValidationFailed
from skills.issuing.build import CONTEXTS, CannotIssue, build_credential, recipient_email, utc_text
from skills.issuing.identity import Issuer, issuer_from_settings
from skills.issuing.models import STATUS_LIST_SIZE, IssuedCredential
from skills.issuing.sign import add_proof, sign_jwt
from skills.models import Employee, Enrolment

if TYPE_CHECKING:
    from core.settings import Settings

DID_CHECK_SECONDS = 300.0  # a did:web document found serving the signing key is trusted this long per process
_did_checked: dict[tuple[str, str], float] = {}


@dataclass(frozen=True)
class Issuing:
    """How to get the issuer (keys read when a badge is issued) and how to reach its did:web document."""

    load: Callable[[], Issuer]
    fetcher: Fetcher = field(default_factory=Fetcher)

    @classmethod
    def from_settings(cls, settings: Settings) -> Issuing:
        """Issuing as configured (BADGER_ISSUER_*)."""
        return cls(load=lambda: issuer_from_settings(settings))


def check_did_web(issuer: Issuer, fetcher: Fetcher) -> None:
    """CannotIssue unless the did:web document is served and lists the signing key (checked every 5 minutes)."""
    if not issuer.domain:
        return
    cache_key = (issuer.did, issuer.signing_key.multikey)
    if time.monotonic() - _did_checked.get(cache_key, -DID_CHECK_SECONDS) < DID_CHECK_SECONDS:
        return
    url = did_web_url(issuer.did)
    fix = (f"serve it with `badger serve --http` behind https://{issuer.domain} (or unset BADGER_ISSUER_DOMAIN "
           "to issue as a did:key)")
    try:
        document = fetcher.get_json(url)
    except FetchError as exc:
        raise CannotIssue(f"the issuer's DID document is not served ({exc}): {fix}") from None
    keys = {m.get("publicKeyMultibase") for m in document.get("verificationMethod") or [] if isinstance(m, dict)}
    if document.get("id") != issuer.did or issuer.signing_key.multikey not in keys:
        raise CannotIssue(f"the DID document at {url} is not {issuer.did}'s with the current key: {fix}")
    _did_checked[cache_key] = time.monotonic()


def _sign(issuer: Issuer, credential: dict[str, Any], now: datetime) -> tuple[dict[str, Any], str | None]:
    key, method = issuer.signing_key, issuer.verification_method
    if issuer.proof_format == "vc-jwt":
        return credential, sign_jwt(credential, key=key, method=method, issuer=issuer.did)
    return add_proof(credential, key=key, method=method, created=now), None


def issue_badge(
    session: Session,
    *,
    issuing: Issuing | None,
    enrolment: Enrolment,
    employee: Employee,
    catalogue: Credential,
    confirmed_by: str,
    now: datetime | None = None,
) -> IssuedCredential:
    """Issue the enrolment's badge once (a second call returns the first); raise, writing nothing, if it can't."""
    assert enrolment.id is not None
    existing = session.exec(select(IssuedCredential).where(IssuedCredential.enrolment_id == enrolment.id)).first()
    if existing is not None:
        return existing
    if issuing is None:
        raise ConfigurationError("this credential is issued by the organisation (issued_by: self), but Badger is "
                                 "not set up to issue badges: set BADGER_ISSUER_NAME and BADGER_PUBLIC_URL and run "
                                 "`badger issuer init`")
    email = recipient_email(employee.name, employee.email)
    issuer = issuing.load()
    check_did_web(issuer, issuing.fetcher)
    now = aware(now)
    row = IssuedCredential(uid=str(uuid.uuid4()), enrolment_id=enrolment.id, employee_id=employee.user_id,
                           credential_id=catalogue.id, achievement=catalogue.title[:500],
                           proof_format=issuer.proof_format, issued_at=now)
    session.add(row)
    session.flush()  # the sequence number places the credential in a status list
    credential = build_credential(
        issuer, uid=row.uid, catalogue=catalogue, email=email, earned=aware(enrolment.earned_at or now),
        completed=enrolment.completed_on, confirmed_by=confirmed_by, status_list=row.status_list,
        status_index=row.status_index)
    row.document, row.token = _sign(issuer, credential, now)
    session.add(row)
    session.flush()
    return row


def get_issued(session: Session, uid: str) -> IssuedCredential:
    """An issued credential by its public id (the UUID, or its full URL)."""
    key = uid.rstrip("/").rsplit("/", 1)[-1]
    row = session.exec(select(IssuedCredential).where(IssuedCredential.uid == key)).first()
    if row is None:
        raise NotFoundError(f"Badger issued no badge with the id {uid}.")
    return row


def list_issued(session: Session, *, employee_id: str | None = None) -> list[IssuedCredential]:
    """Issued credentials, newest first, optionally one person's."""
    query = select(IssuedCredential).order_by(col(IssuedCredential.seq).desc())
    if employee_id:
        query = query.where(IssuedCredential.employee_id == employee_id)
    return list(session.exec(query))


def revoke(session: Session, *, actor: Actor, uid: str, reason: str, now: datetime | None = None) -> IssuedCredential:
    """An L&D admin (or the person's manager) flips the badge's status bit; revoking twice keeps the first reason."""
    me = acting_employee(session, actor)
    row = get_issued(session, uid)
    employee = get_employee(session, row.employee_id)
    if not manages_or_admin(me, employee):
        raise PermissionDenied(f"Only {possessive(employee.name)} manager or an L&D admin can revoke their badge.")
    if not reason.strip():
        raise ValidationFailed("Say why the badge is revoked (--reason); the reason is kept with the record.")
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by, row.revocation_reason = aware(now), me.user_id, reason.strip()[:500]
        session.add(row)
        session.flush()
    return row


def revoked_indexes(session: Session, list_id: int) -> list[int]:
    """The revoked bits of one status list."""
    low, high = (list_id - 1) * STATUS_LIST_SIZE + 1, list_id * STATUS_LIST_SIZE
    rows = session.exec(select(IssuedCredential.seq).where(
        col(IssuedCredential.seq).between(low, high), col(IssuedCredential.revoked_at).is_not(None)))
    return sorted((seq - 1) % STATUS_LIST_SIZE for seq in rows if seq is not None)


def encode_list(indexes: list[int]) -> str:
    """A Bitstring Status List's encodedList: multibase base64url of the gzipped bits (MSB first)."""
    bits = bytearray(STATUS_LIST_SIZE // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).rstrip(b"=").decode()


def status_list_credential(session: Session, issuer: Issuer, list_id: int) -> dict[str, Any]:
    """The signed BitstringStatusListCredential for list `list_id`; NotFoundError for a list never used."""
    if list_id < 1 or session.exec(select(IssuedCredential.seq).where(
            IssuedCredential.seq == (list_id - 1) * STATUS_LIST_SIZE + 1)).first() is None:
        raise NotFoundError(f"There is no status list {list_id}.")
    return _signed_list(issuer, list_id, tuple(revoked_indexes(session, list_id)))


@lru_cache(maxsize=32)
def _signed_list(issuer: Issuer, list_id: int, revoked: tuple[int, ...]) -> dict[str, Any]:
    url = issuer.status_url(list_id)
    document = {
        "@context": CONTEXTS[:1], "id": url, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did, "validFrom": utc_text(aware(None)),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList", "statusPurpose": "revocation",
                              "encodedList": encode_list(list(revoked))},
    }
    return add_proof(document, key=issuer.signing_key, method=issuer.verification_method, created=aware(None))


class LocalFetcher(Fetcher):
    """A fetcher that answers this issuer's own status lists and DID document from the database: offline checks."""

    def __init__(self, session: Session, issuer: Issuer) -> None:
        super().__init__(offline=True)
        self.session, self.issuer = session, issuer

    def get_json(self, url: str) -> dict[str, Any]:
        """Our own documents; anything else is refused (offline)."""
        prefix = self.issuer.public_url + "/status/"
        if url.startswith(prefix) and url[len(prefix):].isdigit():
            try:
                return status_list_credential(self.session, self.issuer, int(url[len(prefix):]))
            except NotFoundError as exc:
                raise FetchError(str(exc)) from None
        if self.issuer.domain and url.split("#", 1)[0] == did_web_url(self.issuer.did):
            return self.issuer.did_document()
        return super().get_json(url)


def exported(row: IssuedCredential) -> str:
    """The credential as a person carries it: the signed JSON, or the VC-JWT."""
    return row.token or json.dumps(row.document, indent=2, ensure_ascii=False)


def verify_issued(session: Session, issuer: Issuer, row: IssuedCredential) -> Verification:
    """Verify an issued credential with Badger's own verifier, offline (status from the database)."""
    return verify_badge(exported(row), fetcher=LocalFetcher(session, issuer))
