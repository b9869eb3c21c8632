"""Answer feedback: was this answer helpful? One vote per answer and user; the latest wins."""

from __future__ import annotations

from sqlmodel import Session, select

from skills.access import Actor
from skills.errors import ValidationFailed
from skills.models import AnswerFeedback, utcnow


def record_feedback(*, session: Session, actor: Actor, answer_ref: str, helpful: bool, intent: str = "",
                    citations: list[str] | None = None) -> AnswerFeedback:
    """Store the acting user's verdict on an answer (anyone who saw it may vote, strangers included)."""
    if not answer_ref or len(answer_ref) > 120:
        raise ValidationFailed("That answer can't take feedback any more.")
    query = select(AnswerFeedback).where(AnswerFeedback.answer_ref == answer_ref,
                                         AnswerFeedback.user_id == actor.user_id)
    row = session.exec(query).first()
    if row is None:
        row = AnswerFeedback(answer_ref=answer_ref, user_id=actor.user_id, helpful=helpful)
    row.helpful = helpful
    row.intent = intent[:40]
    row.citations = [str(c)[:200] for c in (citations or [])][:20]
    row.created_at = utcnow()
    session.add(row)
    session.flush()
    return row
