"""Questions go through the durable work queue: a duplicate request id is answered once, a stale one by DM."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy import update

from bot.slack.answers import Task
from bot.slack.replies import Place
from core import queue
from core.clock import aware
from skills.assistant.intents import Intent, Parsed
from tests.bot.slack.conftest import SlackWorld


def test_a_command_sent_twice_with_one_trigger_id_is_answered_once(world: SlackWorld) -> None:
    form = urlencode({"command": "/learn", "text": "python", "user_id": "UDANA", "channel_id": "C0LEARN",
                      "team_id": "T0BADGER", "trigger_id": "trigSAME", "api_app_id": "A0BADGER",
                      "response_url": world.slack.response_url("learn")}).encode()
    assert world.post(form, "application/x-www-form-urlencoded").status_code == 200
    assert world.post(form, "application/x-www-form-urlencoded").status_code == 200
    world.slack.wait_for("response_url")
    world.wait(lambda: queue.depth(world.kb.engine) == queue.Depth(0, 0, 0.0))
    assert world.post(_sentinel(world), "application/x-www-form-urlencoded").status_code == 200
    world.slack.wait_for("response_url", 2)  # the sentinel's answer came after any second answer would have
    assert len(world.slack.of("response_url")) == 2


def _sentinel(world: SlackWorld) -> bytes:
    return urlencode({"command": "/learn", "text": "sql", "user_id": "UDANA", "channel_id": "C0LEARN",
                      "team_id": "T0BADGER", "trigger_id": "trigSENTINEL", "api_app_id": "A0BADGER",
                      "response_url": world.slack.response_url("sentinel")}).encode()


def test_a_question_older_than_a_response_url_is_answered_by_dm(world: SlackWorld) -> None:
    place = Place(user="UDANA", channel="C0LEARN", shared=True, thread="slash",
                  response_url=world.slack.response_url("old"))
    task = Task(place, "run", text="/learn python", parsed=Parsed(Intent.FIND, query="python"))
    engine = world.kb.engine
    queue.enqueue(engine, key="command:old", kind="answer", payload=task.to_payload())
    with engine.begin() as conn:  # it waited 31 minutes (every replica was down)
        conn.execute(update(queue.WorkItem).values(created_at=aware(None) - timedelta(minutes=31)))
    world.services.start_workers(processes=False)
    update_call = world.slack.wait_for("chat.update")[0].args
    assert update_call["channel"] == "UDANA" and "Python Basics" in json.dumps(update_call["blocks"])
    assert world.slack.of("response_url") == []


def test_a_task_survives_the_queue_unchanged() -> None:
    task = Task(Place(user="U1", channel="C1", shared=True, thread="slash", response_url="https://x/y"), "run",
                text="/progress the AWS one 60%", parsed=Parsed(Intent.PROGRESS, ref="the AWS one", percent=60))
    assert Task.from_payload(json.loads(json.dumps(task.to_payload()))) == task


def test_metrics_show_acks_answers_and_the_queue(world: SlackWorld) -> None:
    assert world.command("/learn", "python", user="UDANA").status_code == 200
    world.slack.wait_for("response_url")
    world.wait(lambda: queue.depth(world.kb.engine) == queue.Depth(0, 0, 0.0))
    text = world.http.get(f"{world.url}/metrics").text
    for line in ('badger_work_queue_depth{state="pending"} 0.0', "badger_work_queue_oldest_seconds 0.0",
                 'badger_outbox_backlog{status="pending"} 0.0', "badger_outbox_failed 0.0"):
        assert line in text
    assert _value(text, "badger_ack_seconds_count") >= 1 and _value(text, "badger_answer_seconds_count") >= 1


def _value(text: str, name: str) -> float:
    return float(next(line.split()[1] for line in text.splitlines() if line.startswith(name + " ")))
