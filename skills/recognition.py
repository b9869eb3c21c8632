"""Recognition: a confirmed or verified badge becomes a team shoutout (or a private congratulation).

The shoutout is an outbox notice written in the same transaction as the EARNED state. It waits out a hold
window (next_attempt_at) during which the person's manager, who gets a preview with a Hold button, may hold it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, select

from core.clock import aware, zone
from core.errors import NotFoundError
from knowledge.models import Credential
from knowledge.schema import SELF_ISSUED, issuer_of
from skills.access import Actor, acting_employee, get_employee, manages, manages_or_admin, possessive
from skills.errors import InvalidTransition, PermissionDenied, ValidationFailed
from skills.lifecycle import DESCRIPTIONS, active_credential, record
from skills.models import (
    ACTIVE_STATES,
    Employee,
    Enrolment,
    Notice,
    NoticeStatus,
    State,
    TeamSetting,
    utcnow,
)
from skills.notices import Kind, add_notice

if TYPE_CHECKING:
    from core.settings import Settings
    from skills.issuing.service import Issuing

AWARDABLE = (State.APPROVED, State.IN_PROGRESS, State.COMPLETED)
_CHANNEL = re.compile(r"^(?:[CG][A-Z0-9]{6,20}|#[a-z0-9][a-z0-9_\-]{0,79})$")
_CHANNEL_LINK = re.compile(r"^<#([CG][A-Z0-9]{6,20})(?:\|[^>]*)?>$")


@dataclass(frozen=True)
class ShoutoutPolicy:
    """Where shoutouts go unless a team has its own channel, and how long a manager may hold one."""

    channel: str = "#learning"
    hold_minutes: float = 10.0
    issuing: Issuing | None = None  # how Badger issues the badge of an `issued_by: self` credential

    @classmethod
    def from_settings(cls, settings: Settings) -> ShoutoutPolicy:
        """The policy from BADGER_SHOUTOUT_CHANNEL, BADGER_SHOUTOUT_HOLD_MINUTES and the issuer settings."""
        from skills.issuing.service import Issuing  # JSON-LD machinery only for commands that award

        return cls(channel=settings.badger_shoutout_channel, hold_minutes=settings.badger_shoutout_hold_minutes,
                   issuing=Issuing.from_settings(settings))


def _lock_person(session: Session, employee_id: str) -> None:
    """Serialise awards for one person (a row lock on PostgreSQL, the write lock on SQLite)."""
    session.exec(update(Employee).where(col(Employee.user_id) == employee_id).values(updated_at=Employee.updated_at))


def award(
    *,
    session: Session,
    actor: Actor,
    employee_id: str,
    credential_id: str,
    badge_url: str | None = None,
    verified: bool = False,
    now: datetime | None = None,
    policy: ShoutoutPolicy | None = None,
) -> Enrolment:
    """The person's manager (or an admin) confirms a credential was earned; the shoutout is queued once."""
    me = acting_employee(session, actor)
    employee = get_employee(session, employee_id)
    if me.user_id == employee.user_id:
        raise PermissionDenied("You can't confirm your own badge: your manager or an L&D admin does that "
                               "(or import the verified badge yourself).")
    if not manages_or_admin(me, employee):
        raise PermissionDenied(f"Only {possessive(employee.name)} manager or an L&D admin can confirm "
                               f"{employee.name} earned a credential.")
    credential = session.get(Credential, credential_id)
    if credential is None:
        raise NotFoundError(f"There is no credential with the id {credential_id} in the catalogue.")
    _lock_person(session, employee.user_id)
    rows = session.exec(
        select(Enrolment).where(Enrolment.employee_id == employee.user_id, Enrolment.credential_id == credential.id)
        .where(col(Enrolment.state).in_([*ACTIVE_STATES, State.EARNED])).order_by(col(Enrolment.id))
    ).all()
    earned = next((e for e in rows if e.state == State.EARNED), None)
    if earned is not None:
        return earned  # re-running changes nothing
    now = aware(now)
    active = rows[0] if rows else None
    if active is not None and active.state not in AWARDABLE:
        raise InvalidTransition(f"{possessive(employee.name)} enrolment in {credential.title} is "
                                f"{DESCRIPTIONS[State(active.state)]}; settle that first.")
    if active is None:
        active_credential(session, credential.id)  # no one newly earns a retired credential
    enrolment = active or Enrolment(employee_id=employee.user_id, credential_id=credential.id,
                                    state=State.EARNED.value, decided_by=me.user_id, decided_at=now)
    enrolment.percent, enrolment.earned_at = 100, now
    enrolment.completed_on = enrolment.completed_on or now.date()
    enrolment.badge_url = badge_url or enrolment.badge_url
    if verified:
        enrolment.badge_verified_at = now
    if active is None:
        session.add(enrolment)
        session.flush()  # the new row's id keys the audit row and the notices
    by = "their manager" if manages(me, employee) else "an L&D admin"
    record(session, enrolment, actor_id=me.user_id, action="earn", to_state=State.EARNED,
           reason=f"confirmed by {by}" + (" with a verified badge" if verified else ""), initial=active is None)
    queue_shoutout(session, enrolment=enrolment, employee=employee, credential=credential, verified=verified,
                   now=now, policy=policy)
    if issuer_of(credential.provider, credential.extra or {}) == SELF_ISSUED:
        from skills.issuing.delivery import issue_and_notify

        issue_and_notify(session, issuing=(policy or ShoutoutPolicy()).issuing, enrolment=enrolment,
                         employee=employee, catalogue=credential, confirmed_by=me.name, now=now)
    return enrolment


def team_channel(session: Session, employee: Employee, policy: ShoutoutPolicy) -> str:
    """The channel the person's shoutouts go to: their team's, else the default."""
    setting = session.get(TeamSetting, employee.team) if employee.team else None
    return setting.shoutout_channel if setting and setting.shoutout_channel else policy.channel


def _local(moment: datetime, timezone: str) -> str:
    found = zone(timezone)
    if found is None:
        found, timezone = ZoneInfo("UTC"), "UTC"
    return f"{moment.astimezone(found):%H:%M} ({timezone})"


def queue_shoutout(
    session: Session,
    *,
    enrolment: Enrolment,
    employee: Employee,
    credential: Credential,
    verified: bool,
    now: datetime | None = None,
    policy: ShoutoutPolicy | None = None,
    image_url: str | None = None,
) -> list[Notice]:
    """Queue the shoutout (after the hold window) and the manager's preview, or a private congratulation."""
    policy, now = policy or ShoutoutPolicy(), aware(now)
    assert enrolment.id is not None
    nominator = session.get(Employee, enrolment.nominated_by) if enrolment.nominated_by else None
    image = image_url or credential.badge_image
    payload: dict[str, Any] = {
        "employee_id": employee.user_id, "employee_name": employee.name, "credential_id": credential.id,
        "credential_title": credential.title, "provider": credential.provider, "skills": list(credential.skills),
        "verified": verified, "image_url": image if image and image.startswith("https://") else None,
        "nominated_by_id": nominator.user_id if nominator else None,
        "nominated_by_name": nominator.name if nominator else None, "enrolment_id": enrolment.id,
    }
    if employee.shoutout_opt_out:
        return [add_notice(session, kind=Kind.CONGRATULATION, recipient_id=employee.user_id, payload=payload,
                           idempotency_key=f"{Kind.CONGRATULATION}:{enrolment.id}", enrolment_id=enrolment.id)]
    key = f"{Kind.SHOUTOUT}:{enrolment.id}"
    if session.exec(select(Notice.id).where(Notice.idempotency_key == key)).first() is not None:
        return []
    channel = team_channel(session, employee, policy)
    post_at = now + timedelta(minutes=policy.hold_minutes)
    shoutout = add_notice(session, kind=Kind.SHOUTOUT, recipient_id=channel, payload=payload, idempotency_key=key,
                          enrolment_id=enrolment.id)
    shoutout.next_attempt_at = post_at if policy.hold_minutes > 0 else None
    session.add(shoutout)
    session.flush()
    manager = session.get(Employee, employee.manager_id) if employee.manager_id else None
    if manager is None or policy.hold_minutes <= 0:
        return [shoutout]
    preview = add_notice(
        session, kind=Kind.SHOUTOUT_PREVIEW, recipient_id=manager.user_id, enrolment_id=enrolment.id,
        idempotency_key=f"{Kind.SHOUTOUT_PREVIEW}:{enrolment.id}",
        payload={**payload, "shoutout_notice_id": shoutout.id, "channel": channel, "post_at": post_at.isoformat(),
                 "post_at_text": _local(post_at, manager.timezone)},
    )
    return [shoutout, preview]


def _shoutout_for(session: Session, actor: Actor, notice_id: int, doing: str) -> tuple[Notice, Employee]:
    me = acting_employee(session, actor)
    notice = session.get(Notice, notice_id)
    if notice is None or notice.kind != Kind.SHOUTOUT:
        raise NotFoundError(f"There is no shoutout number {notice_id}.")
    employee = get_employee(session, str((notice.payload or {}).get("employee_id", "")))
    if not manages_or_admin(me, employee):
        raise PermissionDenied(f"That shoutout is not yours to {doing}: only {possessive(employee.name)} manager "
                               "or an L&D admin can.")
    return notice, employee


def _move(session: Session, notice: Notice, src: NoticeStatus, dst: NoticeStatus, due: datetime | None) -> bool:
    """Change the status only if it still is `src` (the deliverer may be claiming it at this moment)."""
    moved = session.exec(update(Notice).where(col(Notice.id) == notice.id, col(Notice.status) == src.value)
                         .values(status=dst.value, next_attempt_at=due))
    session.refresh(notice)
    return moved.rowcount == 1


def _too_late(notice: Notice) -> InvalidTransition:
    if notice.status == NoticeStatus.SENT:
        return InvalidTransition("That shoutout was already posted, so it can't be held or released any more.")
    if notice.status == NoticeStatus.SENDING:
        return InvalidTransition("That shoutout is being posted right now, so it can't be held any more.")
    return InvalidTransition("That shoutout couldn't be posted (Slack refused it), so there is nothing to change.")


def hold_shoutout(*, session: Session, actor: Actor, notice_id: int) -> Notice:
    """The person's manager (or an admin) holds a shoutout that has not been posted yet; holding twice is fine."""
    notice, _ = _shoutout_for(session, actor, notice_id, "hold")
    if notice.status == NoticeStatus.HELD:
        return notice
    if not _move(session, notice, NoticeStatus.PENDING, NoticeStatus.HELD, notice.next_attempt_at):
        if notice.status == NoticeStatus.HELD:
            return notice
        raise _too_late(notice)
    return notice


def release_shoutout(*, session: Session, actor: Actor, notice_id: int, now: datetime | None = None) -> Notice:
    """Post a held shoutout after all (at the next delivery pass)."""
    notice, _ = _shoutout_for(session, actor, notice_id, "release")
    if notice.status == NoticeStatus.PENDING:
        return notice  # not held (or already released): it will post as planned
    if not _move(session, notice, NoticeStatus.HELD, NoticeStatus.PENDING, aware(now)):
        if notice.status == NoticeStatus.PENDING:
            return notice
        raise _too_late(notice)
    return notice


def set_shoutout_opt_out(*, session: Session, actor: Actor, opt_out: bool) -> Employee:
    """Opt the acting user out of team shoutouts (a private congratulation instead), or back in."""
    me = acting_employee(session, actor)
    me.shoutout_opt_out = opt_out
    me.updated_at = utcnow()
    session.add(me)
    session.flush()
    return me


def normalise_channel(channel: str) -> str:
    """A channel id ("C0123ABCD"), a "<#C…|name>" link or a "#name"; ValidationFailed for anything else."""
    text = channel.strip()
    if link := _CHANNEL_LINK.match(text):
        text = link.group(1)
    if _CHANNEL.match(text):
        return text
    raise ValidationFailed(f"{channel!r} isn't a Slack channel: use its id (like C0123ABCD) or #name "
                           "(lower case, no spaces).")


def set_team_channel(*, session: Session, actor: Actor, team: str, channel: str | None) -> TeamSetting:
    """An admin sets where a team's shoutouts go (None: back to the default channel)."""
    me = acting_employee(session, actor)
    if not me.is_admin:
        raise PermissionDenied("Only an L&D admin can choose a team's shoutout channel.")
    teams = sorted({t for t in session.exec(select(Employee.team)).all() if t})
    if team not in teams:
        known = ", ".join(teams[:20]) or "none yet"
        raise NotFoundError(f"No one in Badger is on a team called {team!r} (teams: {known}).")
    setting = session.get(TeamSetting, team) or TeamSetting(team=team)
    setting.shoutout_channel = normalise_channel(channel) if channel else None
    setting.updated_at = utcnow()
    session.add(setting)
    session.flush()
    return setting


def badge_image(badge_class: dict[str, Any], credential: dict[str, Any]) -> str | None:
    """The https image of an OB 2.0 badge class or an OB 3.0 achievement, if it names one."""
    subject = credential.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    for document in (badge_class, achievement if isinstance(achievement, dict) else {}, credential):
        image = document.get("image")
        url = image.get("id") if isinstance(image, dict) else image
        if isinstance(url, str) and url.startswith("https://"):
            return url
    return None
