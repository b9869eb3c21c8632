"""Buttons: enrol (once, however often it is pressed), approve, details, feedback; the acting user decides."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, select

from bot.slack.listeners.actions import THANKS
from skills.assistant.messages import Action
from skills.models import AnswerFeedback
from tests.bot.slack.conftest import SlackWorld


def answer_to(world: SlackWorld, user: str, text: str) -> dict[str, Any]:
    """DM the bot and return the answer as Slack holds it (the placeholder, updated)."""
    before = len(world.slack.of("chat.update"))
    world.dm(user, text)
    update = world.slack.wait_for("chat.update", before + 1)[before].args
    return {**update, "channel": update["channel"]}


def enrol_dana_in_sql(world: SlackWorld) -> None:
    """Dana asks for SQL and presses Enrol #1."""
    answer = answer_to(world, "UDANA", "sql course")
    world.press("UDANA", answer, "Enrol #1")
    world.wait(lambda: world.enrolments())


def test_enrol_button_enrols_once_even_when_double_clicked(world: SlackWorld) -> None:
    answer = answer_to(world, "UDANA", "sql course")
    world.press("UDANA", answer, "Enrol #1")
    world.press("UDANA", answer, "Enrol #1")
    replies = world.wait(lambda: len(world.slack.posted()) >= 3 and world.slack.posted()[1:])
    assert [(e.credential_id, e.state) for e in world.enrolments()] == [("sql-intro", "approved")]
    texts = sorted(r["text"] for r in replies)
    assert any("enrolled in" in t for t in texts) and any("already" in t.lower() for t in texts)


def test_button_value_cannot_act_for_someone_else(world: SlackWorld) -> None:
    forged = Action("approve", {"enrolment_id": 1, "user_id": "UMIA", "employee_id": "UMIA"})
    message = {"channel": "DERIN", "ts": "5.0", "blocks": [{"type": "actions", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": "Approve"}, "action_id": "badger:approve:0",
         "value": forged.value()}]}]}
    answer = answer_to(world, "UDANA", "kubernetes course")
    world.press("UDANA", answer, "Enrol #1")  # 1200 > 500: needs Mia's approval
    world.wait(lambda: world.enrolments())
    world.press("UERIN", message, "Approve")  # Erin isn't Dana's manager, whatever the value says
    refusal = world.wait(lambda: [p for p in world.slack.posted() if p["channel"] == "DERIN"])[0]
    assert "manager" in refusal["text"].lower() or "only" in refusal["text"].lower()
    assert world.enrolments()[0].state == "requested"


def test_manager_approves_from_the_pending_list_and_the_buttons_go(world: SlackWorld) -> None:
    answer = answer_to(world, "UDANA", "kubernetes course")
    world.press("UDANA", answer, "Enrol #1")
    world.wait(lambda: world.enrolments())
    pending = answer_to(world, "UMIA", "pending")
    world.press("UMIA", pending, "Approve")
    world.press("UMIA", pending, "Approve")  # a double click
    world.wait(lambda: world.enrolments()[0].state == "approved")
    settled = world.wait(lambda: [u.args for u in world.slack.of("chat.update") if u.args["ts"] == pending["ts"]
                                  and "✅" in json.dumps(u.args["blocks"], ensure_ascii=False)])[0]
    assert not [b for b in settled["blocks"] if b["type"] == "actions"]
    events = [e for e in world.enrolments()]
    assert len(events) == 1 and events[0].state == "approved"


def test_details_button_answers_in_the_same_dm(world: SlackWorld) -> None:
    answer = answer_to(world, "UDANA", "sql course")
    world.press("UDANA", answer, "Details #1")
    details = world.wait(lambda: [p for p in world.slack.posted() if "Query relational" in json.dumps(p)])[0]
    assert details["channel"] == "DDANA"


def test_feedback_is_stored_per_answer_and_user(world: SlackWorld) -> None:
    answer = answer_to(world, "UDANA", "sql course")
    world.press("UDANA", answer, "👍")
    world.press("UDANA", answer, "👎")  # changed her mind: the latest press wins, whichever listener stores last
    world.slack.wait_for("chat.postEphemeral", 2)

    def rows() -> list[AnswerFeedback]:
        with Session(world.kb.engine) as session:
            return list(session.exec(select(AnswerFeedback)))

    stored = rows()
    assert [(r.user_id, r.helpful, r.answer_ref) for r in stored] == [("UDANA", False, f"DDANA:{answer['ts']}")]
    assert stored[0].citations[0] == "sql-intro"


def test_a_feedback_press_delivered_late_does_not_replace_a_newer_vote(world: SlackWorld) -> None:
    answer = answer_to(world, "UDANA", "sql course")
    world.press("UDANA", answer, "👎", action_ts="1700000002.000000")
    world.slack.wait_for("chat.postEphemeral", 1)  # stored
    world.press("UDANA", answer, "👍", action_ts="1700000001.000000")  # pressed earlier, arrives later
    thanks = world.slack.wait_for("chat.postEphemeral", 2)
    assert [c.args["text"] for c in thanks] == [THANKS, THANKS]  # the user is thanked, never told of a clash
    with Session(world.kb.engine) as session:
        assert [r.helpful for r in session.exec(select(AnswerFeedback))] == [False]


def test_button_on_an_ephemeral_reply_answers_through_response_url(world: SlackWorld) -> None:
    world.command("/learn", "sql", user="UDANA", channel="C0LEARN")
    reply = world.wait(lambda: [c.args for c in world.slack.of("response_url")])[0]
    world.press("UDANA", {**reply, "channel": "C0LEARN"}, "Enrol #1", ephemeral=True,
                response_url=world.slack.response_url("button-eph"))
    done = world.wait(lambda: [c.args for c in world.slack.of("response_url") if c.path.endswith("button-eph")])
    assert "enrolled" in done[0]["text"] and world.slack.posted() == []
