"""The outbox: notices written in the same transaction as the change they announce."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from skills.models import Notice


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
    REMINDER = "reminder"


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
    query = select(Notice).where(Notice.status == "pending").order_by(Notice.id).limit(limit)  # type: ignore[arg-type]
    return list(session.exec(query))
