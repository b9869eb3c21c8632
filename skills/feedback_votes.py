"""Answer feedback as search votes: each 👍/👎 joined to the question it answered (read only)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.clock import aware
from knowledge.feedback_rank import FeedbackBoosts, Vote
from skills.assistant.models import ConversationTurn
from skills.models import AnswerFeedback, utcnow

# Votes older than this many half-lives weigh under 1/64 and are not read at all.
HORIZON_HALF_LIVES = 6


def load_votes(session: Session, *, half_life_days: float) -> list[Vote]:
    """Every recent vote on a cited credential, with the question of the turn that showed it."""
    since = utcnow() - timedelta(days=half_life_days * HORIZON_HALF_LIVES)
    votes: list[Vote] = []
    rows = session.exec(select(AnswerFeedback).where(col(AnswerFeedback.created_at) >= since)).all()
    for row in rows:
        if not row.citations:
            continue
        turns = session.exec(
            select(ConversationTurn).where(ConversationTurn.user_id == row.user_id,
                                           col(ConversationTurn.created_at) <= row.created_at)
            .order_by(col(ConversationTurn.created_at).desc()).limit(20)
        ).all()
        question = next((t.user_text for t in turns if list(t.state.get("shown") or []) == list(row.citations)), "")
        if question:
            votes.extend(Vote(question=question, credential_id=cid, helpful=row.helpful, at=aware(row.created_at))
                         for cid in row.citations)
    return votes


class FeedbackSource:
    """Boosts from the stored votes, re-read at most once per interval (what the searcher calls per query)."""

    def __init__(self, engine: Engine, *, half_life_days: float, recheck_seconds: float = 60.0) -> None:
        self._engine = engine
        self._half_life = half_life_days
        self._recheck = recheck_seconds
        self._lock = threading.Lock()
        self._boosts: FeedbackBoosts | None = None
        self._read_at = 0.0

    def __call__(self) -> FeedbackBoosts | None:
        """The current boosts (None until there are votes)."""
        with self._lock:
            if self._boosts is None or time.monotonic() - self._read_at >= self._recheck:
                with Session(self._engine) as session:
                    votes = load_votes(session, half_life_days=self._half_life)
                self._boosts = FeedbackBoosts.of(votes, now=utcnow(), half_life_days=self._half_life)
                self._read_at = time.monotonic()
            return self._boosts
