"""Stored answer feedback read as search votes, joined to the question the answer was for."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from skills.access import Actor
from skills.assistant.models import ConversationTurn
from skills.feedback import record_feedback
from skills.feedback_votes import FeedbackSource, load_votes


def test_a_vote_carries_the_question_that_showed_the_credentials(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(ConversationTurn(conversation="U1|D1|", user_id="U1", user_text="python for data analysis",
                                     state={"shown": ["py-1", "py-2"]}))
        session.add(ConversationTurn(conversation="U1|D1|", user_id="U1", user_text="negotiation",
                                     state={"shown": ["neg-1"]}))
        session.commit()
        record_feedback(session=session, actor=Actor("U1"), answer_ref="D1:1.0", helpful=False,
                        citations=["py-1", "py-2"])
        record_feedback(session=session, actor=Actor("U2"), answer_ref="D1:2.0", helpful=True,
                        citations=["unknown"])  # no turn of U2 showed it: not a vote
        session.commit()
        votes = load_votes(session, half_life_days=60)
    assert sorted((v.credential_id, v.question, v.helpful) for v in votes) == [
        ("py-1", "python for data analysis", False), ("py-2", "python for data analysis", False)]
    boosts = FeedbackSource(engine, half_life_days=60)()
    assert boosts is not None and not boosts.is_empty()
    assert boosts.factor(frozenset({"python", "data", "analysi"}), "py-1") < 1.0
