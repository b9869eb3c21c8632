"""Inbound de-duplication: each event id is handled once, across retries and replicas (the database decides)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete

from skills.models import ReceivedEvent, utcnow

KEEP = timedelta(days=2)  # Slack retries within minutes; two days leaves room for clock trouble


def claim_event(engine: Engine, *, event_id: str) -> bool:
    """True the first time an event id is seen; False for a retry or a copy another replica already took."""
    with Session(engine) as session:
        session.add(ReceivedEvent(event_id=event_id[:100]))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
    return True


def prune_events(engine: Engine, *, older_than: timedelta = KEEP) -> int:
    """Forget event ids older than the retry window; the number removed."""
    with Session(engine) as session:
        result = session.exec(delete(ReceivedEvent).where(col(ReceivedEvent.received_at) < utcnow() - older_than))
        session.commit()
        return int(result.rowcount or 0)
