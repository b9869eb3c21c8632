"""Feedback that re-ranks: thumbs up/down on answers become bounded, decaying boosts on similar questions."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from knowledge.lexical import terms
from knowledge.query import Query, topic_words

# A credential moves at most this much (a factor in [1 - BOUND, 1 + BOUND]): feedback tunes, never decides.
BOUND = 0.3
# Votes count only on questions this similar (Jaccard over the topics' stemmed terms).
MIN_SIMILARITY = 0.34


@dataclass(frozen=True)
class Vote:
    """One person's verdict on one credential shown for one question."""

    question: str
    credential_id: str
    helpful: bool
    at: datetime


@dataclass
class FeedbackBoosts:
    """Votes grouped by credential, with their question topics as stemmed terms."""

    half_life_days: float = 60.0
    now: datetime | None = None
    _by_credential: dict[str, list[tuple[frozenset[str], float]]] = field(default_factory=dict)

    @classmethod
    def of(cls, votes: Iterable[Vote], *, now: datetime, half_life_days: float = 60.0) -> FeedbackBoosts:
        """Boosts from votes; each vote's weight halves every half_life_days."""
        boosts = cls(half_life_days=half_life_days, now=now)
        for vote in votes:
            age_days = max(0.0, (now - vote.at).total_seconds() / 86400)
            weight = (1.0 if vote.helpful else -1.0) * 0.5 ** (age_days / half_life_days)
            topic = frozenset(terms(topic_words(vote.question)))
            if topic:
                boosts._by_credential.setdefault(vote.credential_id, []).append((topic, weight))
        return boosts

    def is_empty(self) -> bool:
        """True when no vote counts."""
        return not self._by_credential

    def factor(self, topic: frozenset[str], credential_id: str) -> float:
        """How much this credential moves for a question with this topic (1.0: not at all)."""
        votes = self._by_credential.get(credential_id)
        if not votes or not topic:
            return 1.0
        total = 0.0
        for voted, weight in votes:
            similarity = len(topic & voted) / len(topic | voted)
            if similarity >= MIN_SIMILARITY:
                total += weight * similarity
        return 1.0 + BOUND * math.tanh(total)


def apply_feedback(
    fused: list[tuple[int, float]], query: Query, ids: list[str], boosts: FeedbackBoosts | None,
) -> list[tuple[int, float]]:
    """The ranking with feedback factors applied (unchanged, same order, when there is no feedback)."""
    if boosts is None or boosts.is_empty():
        return fused
    topic = frozenset(terms(topic_words(query.want)))
    adjusted = [(position, score * boosts.factor(topic, ids[position])) for position, score in fused]
    return sorted(adjusted, key=lambda item: (-item[1], item[0]))
