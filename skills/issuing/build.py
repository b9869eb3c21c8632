"""The OpenBadgeCredential (VC 2.0 data model, OB 3.0 context) for one earned enrolment, before it is signed."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

from core.errors import BadgerError
from skills.issuing.identity import Issuer
from skills.issuing.taxonomy import alignments

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXTS = [VC_V2, OB_V3]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class CannotIssue(BadgerError):
    """A badge can't be issued for this person or credential; the message names what to fix."""


def utc_text(moment: datetime) -> str:
    """An XSD dateTime in UTC, seconds precision (`2026-12-03T14:00:00Z`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def hashed_email(email: str, salt: str) -> dict[str, Any]:
    """The recipient as an IdentityObject: sha256 of the lower-cased email plus the salt."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()
    return {"type": "IdentityObject", "identityHash": f"sha256${digest}", "identityType": "emailAddress",
            "hashed": True, "salt": salt}


def recipient_email(name: str, email: str | None) -> str:
    """The address the badge is issued to; CannotIssue when the person has none."""
    if not email or not _EMAIL.match(email.strip()):
        raise CannotIssue(f"{name} has no email address in Badger, and an Open Badge names its recipient by "
                          "email: add it to their profile (the org chart import, `badger org load`) and award again")
    return email.strip()


def valid_until(extra: dict[str, Any], earned: datetime) -> datetime | None:
    """The catalogue's `valid_until` (a date) or `valid_for_days` counted from when it was earned."""
    if extra.get("valid_until"):
        return datetime.combine(date.fromisoformat(str(extra["valid_until"])), time(23, 59, 59), UTC)
    if extra.get("valid_for_days"):
        return earned + timedelta(days=int(extra["valid_for_days"]))
    return None


def achievement(issuer: Issuer, catalogue: Any) -> dict[str, Any]:
    """The Achievement: what the programme is, how it is earned, its image and the skills it aligns to."""
    description = catalogue.description or f"{catalogue.title}, a programme of {issuer.name}."
    criteria = str(catalogue.extra.get("criteria") or "") or (
        f"Completed {catalogue.title} and confirmed by their manager or an L&D admin at {issuer.name}.")
    found: dict[str, Any] = {
        "id": f"{issuer.public_url}/achievements/{quote(catalogue.id, safe='')}", "type": ["Achievement"],
        "name": catalogue.title, "description": description[:2000], "criteria": {"narrative": criteria},
    }
    if catalogue.badge_image:
        found["image"] = {"id": catalogue.badge_image, "type": "Image"}
    if catalogue.skills:
        found["tag"] = list(catalogue.skills)
    aligned = alignments(catalogue.skills)
    if aligned:
        found["alignment"] = aligned
    return found


def build_credential(
    issuer: Issuer,
    *,
    uid: str,
    catalogue: Any,
    email: str,
    earned: datetime,
    completed: date | None,
    confirmed_by: str,
    status_list: int,
    status_index: int,
    salt: str | None = None,
) -> dict[str, Any]:
    """The unsigned credential for one earned enrolment (`catalogue` is the knowledge.models.Credential)."""
    status_url = issuer.status_url(status_list)
    credential: dict[str, Any] = {
        "@context": CONTEXTS,
        "id": issuer.credential_url(uid),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": catalogue.title,
        "issuer": issuer.profile(),
        "validFrom": utc_text(earned),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [hashed_email(email, salt or secrets.token_hex(16))],
            "achievement": achievement(issuer, catalogue),
        },
        "evidence": [{
            "type": ["Evidence"], "name": "Programme completed",
            "description": (f"Completed on {(completed or earned.date()).isoformat()}; confirmed by {confirmed_by} "
                            f"on {earned.date().isoformat()}."),
        }],
        "credentialStatus": {
            "id": f"{status_url}#{status_index}", "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": str(status_index), "statusListCredential": status_url,
        },
    }
    until = valid_until(catalogue.extra or {}, earned)
    if until is not None:
        credential["validUntil"] = utc_text(until)
    return credential
