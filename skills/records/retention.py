"""Retention: conversation turns, received event ids and delivered notices older than the settings are purged.

Each kind is deleted in batches (one short transaction each), oldest first, so a large backlog never holds a long
lock; running it again deletes nothing more. xAPI rows are kept: they record which statements the LRS holds
(an erasure voids exactly those).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from core.settings import Settings
from skills.assistant.models import ConversationTurn
from skills.models import Notice, NoticeStatus, ReceivedEvent
from skills.records.models import RightsRequest
from skills.records.rights import scrub_database
from skills.records.xapi import KIND as XAPI

SCRUB_AFTER = timedelta(days=2)  # erasures this recent get the SQLite file rebuilt (the job runs daily)


@dataclass(frozen=True)
class Retention:
    """Days each kind is kept (0: forever) and the batch size."""

    conversations: int = 90
    events: int = 2
    notices: int = 180
    batch: int = 1000

    @classmethod
    def from_settings(cls, settings: Settings) -> Retention:
        """The BADGER_RETENTION_* settings."""
        return cls(settings.badger_retention_days_conversations, settings.badger_retention_days_events,
                   settings.badger_retention_days_notices, settings.badger_retention_batch)


def _purge(engine: Engine, key: Any, *conditions: Any, batch: int) -> int:
    removed = 0
    while True:
        with Session(engine) as session:
            ids = list(session.exec(select(key).where(*conditions).order_by(key).limit(batch)))
            if not ids:
                return removed
            session.exec(delete(key.class_).where(key.in_(ids)))
            session.commit()
            removed += len(ids)


def purge(engine: Engine, *, now: datetime, rules: Retention) -> dict[str, int]:
    """Delete what is older than the retention rules allow; how many rows of each kind went."""
    report = {"conversation_turns": 0, "received_events": 0, "notices": 0}
    if rules.conversations:
        cutoff = now - timedelta(days=rules.conversations)
        report["conversation_turns"] = _purge(engine, col(ConversationTurn.id),
                                              col(ConversationTurn.created_at) < cutoff, batch=rules.batch)
    if rules.events:
        cutoff = now - timedelta(days=rules.events)
        report["received_events"] = _purge(engine, col(ReceivedEvent.event_id),
                                           col(ReceivedEvent.received_at) < cutoff, batch=rules.batch)
    if rules.notices:
        cutoff = now - timedelta(days=rules.notices)
        report["notices"] = _purge(
            engine, col(Notice.id), col(Notice.kind) != XAPI,
            col(Notice.status).in_([NoticeStatus.SENT.value, NoticeStatus.FAILED.value]),
            col(Notice.created_at) < cutoff, batch=rules.batch)
    report["scrubbed"] = int(_recent_erasure(engine, now - SCRUB_AFTER))
    if report["scrubbed"]:  # an erasure confirmed from Slack: make its values unrecoverable from the file too
        scrub_database(engine)
    return report


def _recent_erasure(engine: Engine, since: datetime) -> bool:
    with Session(engine) as session:
        return session.exec(select(RightsRequest.id).where(RightsRequest.action == "erase",
                                                           RightsRequest.status == "done",
                                                           col(RightsRequest.decided_at) >= since)).first() is not None
