"""The Slack HTTP surface on PostgreSQL, and in LLM mode (the agent behind a fake OpenAI server)."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
from collections.abc import Callable

import pytest

from tests.bot.slack.conftest import SlackWorld
from tests.fakes.openai_server import FakeOpenAI, call


def test_commands_buttons_and_events_on_postgresql(make_slack_world: Callable[..., SlackWorld],
                                                   postgres_url: str) -> None:
    world = make_slack_world(database_url=postgres_url)
    assert world.kb.engine.dialect.name == "postgresql"
    world.command("/learn", "sql", user="UDANA", channel="C0LEARN")
    reply = world.wait(lambda: [c.args for c in world.slack.of("response_url")])[0]
    assert "SQL for Everyone" in json.dumps(reply["blocks"])
    world.press("UDANA", {**reply, "channel": "C0LEARN"}, "Enrol #1", ephemeral=True,
                response_url=world.slack.response_url("button"))
    done = world.wait(lambda: [c.args for c in world.slack.of("response_url") if c.path.endswith("button")])
    assert "enrolled" in done[0]["text"]
    [row] = world.enrolments()
    assert (row.employee_id, row.credential_id) == ("UDANA", "sql-intro")

    event = {"type": "message", "channel_type": "im", "channel": "DDANA", "user": "UDANA", "text": "my status",
             "ts": "1.5"}
    assert world.event(event, event_id="EvPG").status_code == 200
    assert world.event(event, event_id="EvPG", retry=1).status_code == 200  # the retry is claimed in PostgreSQL
    update = world.slack.wait_for("chat.update")[0].args
    assert "SQL for Everyone" in json.dumps(update["blocks"])
    world.dm("UDANA", "free python course")  # a later question: answered after the retry would have been
    world.slack.wait_for("chat.update", 2)
    assert len(world.slack.of("chat.update")) == 2


def test_a_dm_in_llm_mode_is_answered_by_the_agent_as_the_sender(make_slack_world: Callable[..., SlackWorld],
                                                                  fake_openai: FakeOpenAI) -> None:
    world = make_slack_world(openai_api_key="sk-test-123", openai_base_url=fake_openai.base_url)
    fake_openai.script = [
        call("search_catalogue", query="python", max_cost=0),
        call("reply", text="*Python Basics* (Northfield University) is free and takes 20 hours.",
             citations=[{"id": "py-basics"}]),
    ]
    world.dm("UDANA", "a free python course please")
    update = world.slack.wait_for("chat.update", timeout=30)[0].args
    shown = json.dumps(update["blocks"])
    assert "is free and takes 20 hours" in shown and "py-basics" in shown and "Helpful" in shown
    asked = json.dumps(fake_openai.chat_requests[0]["messages"])
    assert "a free python course please" in asked and "Dana Dev" in asked  # the model knows who is asking
    assert "Python Basics" in "".join(m["content"] or "" for m in fake_openai.chat_requests[1]["messages"]
                                      if m["role"] == "tool")  # the search ran as a tool, its result went back


def test_a_very_long_answer_is_split_into_sections_and_messages_slack_accepts(
        make_slack_world: Callable[..., SlackWorld], fake_openai: FakeOpenAI) -> None:
    world = make_slack_world(openai_api_key="sk-test-123", openai_base_url=fake_openai.base_url)
    line = "*Python Basics* (Northfield University) is free and takes 20 hours."
    text = "\n".join(f"{n}. {line}" for n in range(2400))  # ~180,000 characters: over 50 sections of 3,000
    fake_openai.script = [call("search_catalogue", query="python", max_cost=0),
                          call("reply", text=text, citations=[{"id": "py-basics"}])]
    world.dm("UDANA", "tell me everything about free python courses")
    update = world.slack.wait_for("chat.update", timeout=60)[0].args
    world.wait(lambda: "2399. *Python Basics*" in json.dumps(world.slack.posted()), timeout=30)  # the last part
    more = [p for p in world.slack.posted() if p["channel"] == "DDANA" and "Looking" not in p["text"]]
    parts = [update["blocks"], *[p["blocks"] for p in more]]
    assert len(parts) >= 2 and all(len(blocks) <= 50 for blocks in parts)  # Slack's limit per message
    sections = [b["text"]["text"] for blocks in parts for b in blocks if b["type"] == "section"]
    assert all(len(s) <= 3000 for s in sections)  # Slack's limit per section
    shown = "\n".join(sections)
    assert all(f"{n}. *Python Basics*" in shown for n in (0, 1234, 2399))  # nothing lost at the cuts


def test_the_answer_process_answers_and_one_that_dies_is_replaced(
        make_slack_world: Callable[..., SlackWorld], caplog: pytest.LogCaptureFixture) -> None:
    world = make_slack_world(badger_answer_processes=1)
    before = set(multiprocessing.active_children())
    world.services.start_workers()  # what `badger serve` does: BADGER_ANSWER_PROCESSES=1 is the default
    try:
        workers = [p for p in multiprocessing.active_children() if p not in before]
        assert len(workers) == 1
        world.command("/learn", "sql", user="UDANA", response_url=world.slack.response_url("first"))
        first = world.wait(lambda: [c.args for c in world.slack.of("response_url") if c.path.endswith("first")], 180)
        assert "SQL for Everyone" in json.dumps(first[-1]["blocks"])

        os.kill(workers[0].pid or 0, signal.SIGKILL)  # the answer process dies (OOM killer, a crash)
        workers[0].join(timeout=30)
        world.command("/learn", "python", user="UDANA", response_url=world.slack.response_url("second"))
        second = world.wait(lambda: [c.args for c in world.slack.of("response_url") if c.path.endswith("second")], 180)
        assert "Python Basics" in json.dumps(second[-1]["blocks"])  # answered by the process put in its place
        assert "slack.answer_process_died" in caplog.text
        alive = [p for p in multiprocessing.active_children() if p not in before and p.is_alive()]
        assert len(alive) == 1 and alive[0].pid != workers[0].pid
    finally:
        world.services.stop_workers(5)
