"""Answer feedback: was this answer helpful? One vote per answer and user; the newest press wins."""

from __future__ import annotations

import time
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from skills.access import Actor
from skills.errors import ValidationFailed
from skills.models import AnswerFeedback, utcnow

_VOTE = ("helpful", "intent", "citations", "created_at", "action_ts_us")


def record_feedback(*, session: Session, actor: Actor, answer_ref: str, helpful: bool, action_ts: str = "",
                    intent: str = "", citations: list[str] | None = None) -> AnswerFeedback:
    """Store the acting user's verdict on an answer (anyone who saw it may vote, strangers included).

    Presses are stored by listeners in any order and two may arrive at once: one upsert keeps the vote of
    the newest press (Slack's `action_ts`; now when it has none), whatever order they commit in.
    """
    if not answer_ref or len(answer_ref) > 120:
        raise ValidationFailed("That answer can't take feedback any more.")
    insert = postgresql_insert if session.connection().dialect.name == "postgresql" else sqlite_insert
    statement: Any = insert(AnswerFeedback).values(
        answer_ref=answer_ref, user_id=actor.user_id, helpful=helpful, intent=intent[:40],
        citations=[str(c)[:200] for c in (citations or [])][:20], created_at=utcnow(),
        action_ts_us=_microseconds(action_ts))
    statement = statement.on_conflict_do_update(
        index_elements=["answer_ref", "user_id"],
        set_={name: statement.excluded[name] for name in _VOTE},
        where=col(AnswerFeedback.action_ts_us) <= statement.excluded.action_ts_us)
    session.execute(statement)
    query = select(AnswerFeedback).where(AnswerFeedback.answer_ref == answer_ref,
                                         AnswerFeedback.user_id == actor.user_id)
    return session.exec(query.execution_options(populate_existing=True)).one()


def _microseconds(action_ts: str) -> int:
    """Slack's "seconds.micros" action_ts as whole microseconds (the current time when absent or malformed)."""
    try:
        return int(Decimal(action_ts) * 1_000_000)
    except (InvalidOperation, ValueError):
        return time.time_ns() // 1000
