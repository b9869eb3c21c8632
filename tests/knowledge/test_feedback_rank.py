"""Feedback re-ranking: bounded, decaying, only on similar questions; no feedback = the plain ranking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from knowledge.base import KnowledgeBase
from knowledge.feedback_rank import BOUND, FeedbackBoosts, Vote

NOW = datetime(2026, 12, 1, tzinfo=UTC)
QUESTION = "I want to learn python for data analysis"


def _ranking(kb: KnowledgeBase, question: str) -> list[tuple[str, float]]:
    return [(hit.id, hit.score) for hit in kb.search(question, k=10).hits]


def test_no_feedback_is_todays_ranking_exactly(eval_kb: KnowledgeBase) -> None:
    searcher = eval_kb.searcher
    try:
        searcher.feedback = None
        plain = {q: _ranking(eval_kb, q) for q in (QUESTION, "cloud networking", "free beginner cybersecurity")}
        searcher.feedback = lambda: FeedbackBoosts.of([], now=NOW)
        assert {q: _ranking(eval_kb, q) for q in plain} == plain
        unrelated = [Vote("negotiation for a pay raise", plain[QUESTION][0][0], False, NOW)]
        searcher.feedback = lambda: FeedbackBoosts.of(unrelated, now=NOW)
        assert _ranking(eval_kb, QUESTION) == plain[QUESTION]  # votes on other questions don't move it
    finally:
        searcher.feedback = None


def test_thumbs_down_on_similar_questions_drops_a_credential(eval_kb: KnowledgeBase) -> None:
    searcher = eval_kb.searcher
    plain = [i for i, _ in _ranking(eval_kb, QUESTION)]
    top = plain[0]
    votes = [Vote("python for data analysis", top, False, NOW - timedelta(days=1)) for _ in range(3)]
    votes += [Vote("learning python data analysis", plain[4], True, NOW)]
    try:
        searcher.feedback = lambda: FeedbackBoosts.of(votes, now=NOW)
        voted = [i for i, _ in _ranking(eval_kb, QUESTION)]
    finally:
        searcher.feedback = None
    assert voted.index(top) > 0
    assert voted.index(plain[4]) < 4


def test_boosts_are_bounded_and_decay() -> None:
    topic = frozenset({"python", "data"})
    many = [Vote("python data", "c1", True, NOW) for _ in range(100)]
    assert 1.0 < FeedbackBoosts.of(many, now=NOW).factor(topic, "c1") <= 1.0 + BOUND
    fresh = FeedbackBoosts.of([Vote("python data", "c1", False, NOW)], now=NOW).factor(topic, "c1")
    old = FeedbackBoosts.of([Vote("python data", "c1", False, NOW - timedelta(days=120))], now=NOW,
                            half_life_days=60).factor(topic, "c1")
    assert 1.0 - BOUND <= fresh < old < 1.0
    assert FeedbackBoosts.of(many, now=NOW).factor(frozenset({"negoti"}), "c1") == 1.0
