"""Answer feedback: one vote per answer and user, the newest press wins in whatever order presses are stored."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from skills.access import Actor
from skills.feedback import record_feedback
from skills.models import AnswerFeedback
from tests.blocking import wait_until_blocked

DANA = Actor("UDANA")
ANSWER = "DDANA:1700000000.000100"
EARLIER, LATER = "1700000001.000001", "1700000001.000002"  # one microsecond apart


def vote(engine: Engine, helpful: bool, action_ts: str, actor: Actor = DANA) -> None:
    with Session(engine) as session:
        record_feedback(session=session, actor=actor, answer_ref=ANSWER, helpful=helpful, action_ts=action_ts,
                        citations=["sql-intro"])
        session.commit()


def stored(engine: Engine) -> list[tuple[str, bool]]:
    with Session(engine) as session:
        return [(r.user_id, r.helpful) for r in session.exec(select(AnswerFeedback).order_by(AnswerFeedback.user_id))]


def test_a_second_press_replaces_the_vote(engine: Engine) -> None:
    vote(engine, True, EARLIER)
    vote(engine, False, LATER)
    vote(engine, True, LATER, actor=Actor("UERIN"))  # another user's vote is their own
    assert stored(engine) == [("UDANA", False), ("UERIN", True)]


def test_a_press_stored_late_does_not_replace_a_newer_vote(engine: Engine) -> None:
    vote(engine, False, LATER)  # 👎 pressed last, but its listener ran first
    vote(engine, True, EARLIER)
    assert stored(engine) == [("UDANA", False)]
    with Session(engine) as session:
        [row] = session.exec(select(AnswerFeedback)).all()
        assert row.citations == ["sql-intro"] and row.action_ts_us == 1700000001000002


@pytest.mark.parametrize("first_committed", [EARLIER, LATER])
def test_simultaneous_presses_both_succeed_and_the_newest_wins(engine: Engine, first_committed: str) -> None:
    """Two listeners store two presses at once: neither fails on the unique key, the newer press's vote stays."""
    other = LATER if first_committed == EARLIER else EARLIER
    helpful = {EARLIER: True, LATER: False}
    errors: list[BaseException] = []

    def racer() -> None:
        try:
            vote(engine, helpful[other], other)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    with Session(engine) as first:
        record_feedback(session=first, actor=DANA, answer_ref=ANSWER, helpful=helpful[first_committed],
                        action_ts=first_committed)  # written, not committed
        thread = threading.Thread(target=racer)
        thread.start()
        wait_until_blocked(engine, thread)  # the racer's write waits for this transaction
        first.commit()
    thread.join(timeout=60)
    assert errors == []
    assert stored(engine) == [("UDANA", False)]  # the vote of the LATER press


def test_a_press_without_action_ts_counts_as_now(engine: Engine) -> None:
    vote(engine, True, EARLIER)
    vote(engine, False, "")
    assert stored(engine) == [("UDANA", False)]
