"""The `import_badge` skill: verify a badge, match its recipient, record it and credit its skills."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from knowledge.models import Credential
from skills.access import Actor, acting_employee, get_employee, possessive
from skills.badges.fetch import Fetcher
from skills.badges.recipient import match_recipient
from skills.badges.result import Verification
from skills.badges.verify import verify_badge
from skills.errors import PermissionDenied, ValidationFailed
from skills.lifecycle import record
from skills.models import ACTIVE_STATES, Badge, Employee, Enrolment, State, utcnow
from skills.recognition import ShoutoutPolicy, badge_image, queue_shoutout


class BadgeNotVerified(ValidationFailed):
    """The badge did not verify; `verification` holds the checks."""

    def __init__(self, verification: Verification) -> None:
        self.verification = verification
        super().__init__("Badger could not verify this badge, so it wasn't added.", verification.errors)


class RecipientMismatch(ValidationFailed):
    """The badge verified but was issued to someone else."""


@dataclass(frozen=True)
class BadgeImport:
    """What an import did: the badge row, whether it is new, and the verification behind it."""

    badge: Badge
    created: bool
    verification: Verification


def fingerprint(verification: Verification) -> str:
    """A stable key for one earned credential: its own id, or its JSON when it has none."""
    basis = verification.credential_id or json.dumps(verification.credential, sort_keys=True)
    return hashlib.sha256(f"{verification.format[:3]}|{basis}".encode()).hexdigest()


def _norm(text: str | None) -> str:
    return " ".join((text or "").casefold().split())


def match_catalogue(session: Session, verification: Verification) -> Credential | None:
    """The catalogue credential for the badge: by achievement id (id or url), else by name and provider."""
    aid = verification.achievement_id
    if aid:
        found = session.get(Credential, aid) or session.exec(select(Credential).where(Credential.url == aid)).first()
        if found is not None:
            return found
    name = _norm(verification.achievement)
    if not name:
        return None
    candidates = session.exec(select(Credential).where(func.lower(Credential.title) == name)).all()
    return next((c for c in candidates if _norm(c.provider) == _norm(verification.issuer)), None)


def badge_skills(verification: Verification, credential: Credential | None) -> list[str]:
    """Skills the badge proves: the catalogue credential's, then the achievement's alignment targets."""
    document: dict[str, Any] = verification.badge_class or verification.credential
    if not verification.badge_class:
        for subject in [verification.credential.get("credentialSubject") or {}]:
            if isinstance(subject, dict) and isinstance(subject.get("achievement"), dict):
                document = subject["achievement"]
    aligned = [a.get("targetName") for a in document.get("alignment") or [] if isinstance(a, dict)]
    names = [*(credential.skills if credential else []), *(n for n in aligned if isinstance(n, str))]
    return list(dict.fromkeys(n.strip() for n in names if n.strip()))


def _earn(session: Session, me: Employee, owner: Employee, credential: Credential, url: str | None,
          verification: Verification, shoutouts: ShoutoutPolicy | None) -> Enrolment:
    enrolments = session.exec(
        select(Enrolment).where(Enrolment.employee_id == owner.user_id, Enrolment.credential_id == credential.id)
        .where(col(Enrolment.state).in_([*ACTIVE_STATES, State.EARNED])).order_by(col(Enrolment.id))
    ).all()
    now = utcnow()
    earned = next((e for e in enrolments if e.state == State.EARNED), None)
    if earned is not None:
        earned.badge_verified_at = earned.badge_verified_at or now
        earned.badge_url = earned.badge_url or url
        session.add(earned)
        return earned
    enrolment = enrolments[0] if enrolments else Enrolment(
        employee_id=owner.user_id, credential_id=credential.id, state=State.EARNED.value
    )
    enrolment.percent, enrolment.earned_at, enrolment.badge_url, enrolment.badge_verified_at = 100, now, url, now
    enrolment.completed_on = enrolment.completed_on or datetime.now(UTC).date()
    session.add(enrolment)
    session.flush()
    record(session, enrolment, actor_id=me.user_id, action="earn", to_state=State.EARNED,
           reason="verified badge imported", initial=not enrolments)
    queue_shoutout(session, enrolment=enrolment, employee=owner, credential=credential, verified=True, now=now,
                   policy=shoutouts, image_url=badge_image(verification.badge_class, verification.credential))
    return enrolment


def import_badge(
    *,
    session: Session,
    actor: Actor,
    source: bytes | str,
    user_id: str | None = None,
    fetcher: Fetcher | None = None,
    shoutouts: ShoutoutPolicy | None = None,
) -> BadgeImport:
    """Verify a badge and record it for the acting user (an admin may import for anyone); re-import is a no-op."""
    # A badge that newly earns a catalogue credential queues its (verified) shoutout in the same transaction.
    me = acting_employee(session, actor)
    owner = me if user_id in (None, me.user_id) else get_employee(session, str(user_id))
    if owner.user_id != me.user_id and not me.is_admin:
        raise PermissionDenied("You can import only your own badges; an L&D admin can import one for someone else.")
    verification = verify_badge(source, fetcher=fetcher)
    if not verification.valid:
        raise BadgeNotVerified(verification)
    if not verification.achievement:
        raise ValidationFailed("This credential verified, but it isn't a badge: it names no achievement.")
    reason = match_recipient(verification, owner.email)
    if reason is not None:
        who = "your" if owner.user_id == me.user_id else possessive(owner.name)
        raise RecipientMismatch(f"This badge can't be added to {who} profile: {reason}.")
    key = fingerprint(verification)
    existing = session.exec(select(Badge).where(Badge.employee_id == owner.user_id, Badge.fingerprint == key)).first()
    if existing is not None:
        return BadgeImport(existing, False, verification)
    credential = match_catalogue(session, verification)
    url = source if isinstance(source, str) and source.startswith(("http://", "https://")) else None
    enrolment = _earn(session, me, owner, credential, url, verification, shoutouts) if credential else None
    badge = Badge(
        employee_id=owner.user_id, fingerprint=key, format=verification.format,
        credential_uid=verification.credential_id, achievement=str(verification.achievement)[:500],
        achievement_id=verification.achievement_id, issuer=str(verification.issuer or "")[:500],
        issuer_id=verification.issuer_id, credential_id=credential.id if credential else None,
        enrolment_id=enrolment.id if enrolment else None, skills=badge_skills(verification, credential),
        source_url=url, document=verification.credential,
    )
    session.add(badge)
    try:
        session.flush()
    except IntegrityError:  # the same badge imported at the same moment: theirs won, this import changes nothing
        session.rollback()
        existing = session.exec(
            select(Badge).where(Badge.employee_id == owner.user_id, Badge.fingerprint == key)
        ).one()
        return BadgeImport(existing, False, verification)
    return BadgeImport(badge, True, verification)


def employee_badges(*, session: Session, actor: Actor, user_id: str | None = None) -> list[Badge]:
    """The verified badges of the acting user (or, for their manager or an admin, of `user_id`)."""
    me = acting_employee(session, actor)
    owner = me if user_id in (None, me.user_id) else get_employee(session, str(user_id))
    if owner.user_id != me.user_id and not (me.is_admin or owner.manager_id == me.user_id):
        raise PermissionDenied(
            f"Only {owner.name}, their manager or an L&D admin can see {possessive(owner.name)} badges."
        )
    return list(session.exec(select(Badge).where(Badge.employee_id == owner.user_id).order_by(col(Badge.id))))
