"""The outbox: notices written in the same transaction as the change they announce."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from skills.models import Notice, NoticeStatus, utcnow


class Kind:
    """Notice kinds the delivery layer renders."""

    APPROVAL_REQUEST = "approval_request"
    REQUEST_APPROVED = "request_approved"
    REQUEST_DECLINED = "request_declined"
    REQUEST_WITHDRAWN = "request_withdrawn"
    NOMINATION = "nomination"
    NOMINATION_ACCEPTED = "nomination_accepted"
    NOMINATION_DECLINED = "nomination_declined"
    NOMINATION_WITHDRAWN = "nomination_withdrawn"
    ENROLMENT_WITHDRAWN = "enrolment_withdrawn"
    REMINDER = "reminder"
    COMPLETION = "completion"  # to the manager: confirm the badge was earned
    SHOUTOUT = "shoutout"  # recipient: a channel
    CONGRATULATION = "congratulation"  # a private DM instead of a shoutout (opted out)
    SHOUTOUT_PREVIEW = "shoutout_preview"  # to the manager: the shoutout is coming, with Hold
    DIGEST = "digest"  # the weekly manager digest (with a chart)
    BADGE_ISSUED = "badge_issued"  # to the earner: the Open Badge Badger issued (PNG and JSON in the thread)
    RIGHTS_REQUEST = "rights_request"  # to each admin: a person asks for a copy or the erasure of their data


def add_notice(
    session: Session,
    *,
    kind: str,
    recipient_id: str,
    idempotency_key: str,
    payload: dict[str, Any],
    enrolment_id: int | None = None,
) -> Notice:
    """Queue a notice unless one with this idempotency key is already queued; return the row."""
    existing = session.exec(select(Notice).where(Notice.idempotency_key == idempotency_key)).first()
    if existing is not None:
        return existing
    notice = Notice(
        kind=kind,
        recipient_id=recipient_id,
        enrolment_id=enrolment_id,
        payload=payload,
        idempotency_key=idempotency_key,
    )
    session.add(notice)
    session.flush()
    return notice


def pending_notices(session: Session, *, limit: int = 100) -> list[Notice]:
    """The oldest notices still waiting to be delivered."""
    query = select(Notice).where(Notice.status == NoticeStatus.PENDING).order_by(col(Notice.id)).limit(limit)
    return list(session.exec(query))


def mark_sent(session: Session, notice: Notice, *, message_ts: str | None) -> None:
    """Record a delivered notice and the Slack message it became."""
    notice.status = NoticeStatus.SENT.value
    notice.message_ts = message_ts
    notice.sent_at = utcnow()
    notice.attempts += 1
    session.add(notice)


def mark_failed(session: Session, notice: Notice, *, error: str, give_up: bool) -> None:
    """Record a failed delivery attempt; the notice stays pending unless the deliverer gives up."""
    notice.attempts += 1
    notice.last_error = error[:500]
    if give_up:
        notice.status = NoticeStatus.FAILED.value
    session.add(notice)


def due_notices(now: datetime, lease: timedelta) -> ColumnElement[bool]:
    """Notices to claim at `now`: pending and due, or claimed by a sender whose lease ran out."""
    return or_(and_(col(Notice.status) == NoticeStatus.PENDING,
                    or_(col(Notice.next_attempt_at).is_(None), col(Notice.next_attempt_at) <= now)),
               and_(col(Notice.status) == NoticeStatus.SENDING, col(Notice.claimed_at) < now - lease))
