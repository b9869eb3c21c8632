"""Requests into the served app: signatures, health, de-duplicated events, DMs, mentions, assistant threads."""

from __future__ import annotations

import json
import time

from bot.cli_db import upgrade_database
from tests.bot.slack.conftest import SlackWorld


def test_bad_signature_and_stale_timestamp_are_refused(serial_world: SlackWorld) -> None:
    world = serial_world
    body = json.dumps({"type": "event_callback", "event_id": "Ev1", "event": {"type": "app_mention"}}).encode()
    assert world.post(body, "application/json", secret="not-the-secret").status_code == 401
    assert world.post(body, "application/json", timestamp=int(time.time()) - 600).status_code == 401
    world.settle()
    assert world.slack.calls == [c for c in world.slack.calls if c.method == "auth.test"]  # nothing reached Slack


def test_url_verification_challenge_is_answered(world: SlackWorld) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "x"}).encode()
    response = world.post(body, "application/json")
    assert response.status_code == 200 and "c-123" in response.text


def test_health_and_readiness(world: SlackWorld) -> None:
    assert world.http.get(f"{world.url}/healthz").json() == {"ok": True}
    response = world.http.get(f"{world.url}/readyz")
    assert response.status_code == 503 and response.json()["migrations"].startswith("at none")
    upgrade_database(world.services.settings.resolved_database_url)
    response = world.http.get(f"{world.url}/readyz")
    assert response.status_code == 200 and response.json() == {"ok": True, "draining": "ok", "model": "ok",
                                                                "database": "ok", "migrations": "ok"}
    assert world.http.get(f"{world.url}/nope").status_code == 404


def test_dm_gets_a_placeholder_updated_with_the_answer(world: SlackWorld) -> None:
    assert world.dm("UDANA", "free python course").status_code == 200
    update = world.slack.wait_for("chat.update")[0].args
    placeholder = world.slack.posted()[0]
    assert placeholder["channel"] == "DDANA" and "Looking" in placeholder["text"]
    assert update["ts"] == world.slack.messages["DDANA"][0]["ts"]
    text = json.dumps(update["blocks"])
    assert "Python Basics" in text and "Enrol #1" in text and "Helpful" in text
    assert len(update["blocks"]) <= 50


def test_a_retried_event_is_answered_once(serial_world: SlackWorld) -> None:
    world = serial_world
    world.dm("UDANA", "free python course", )
    first = world.slack.wait_for("chat.update")
    event = {"type": "message", "channel_type": "im", "channel": "DDANA", "user": "UDANA", "text": "my status",
             "ts": "1.5"}
    assert world.event(event, event_id="EvSAME").status_code == 200
    world.slack.wait_for("chat.update", 2)
    assert world.event(event, event_id="EvSAME", retry=1).status_code == 200
    assert world.event(event, event_id="EvSAME", retry=2).status_code == 200
    world.settle()
    assert len(world.slack.of("chat.update")) == len(first) + 1


def test_the_bots_own_messages_and_edits_are_ignored(serial_world: SlackWorld) -> None:
    world = serial_world
    world.dm("UDANA", "hello", bot_id="B0BADGER")
    world.dm("UDANA", "hello", subtype="message_changed")
    world.settle()
    assert world.slack.posted() == []


def test_mention_in_a_channel_answers_in_the_thread(world: SlackWorld) -> None:
    world.event({"type": "app_mention", "channel": "C0TEAM", "user": "UERIN", "ts": "1700.1",
                 "text": "<@UBADGERBOT> kubernetes course"})
    post = world.wait(world.slack.posted)[0]
    assert post["channel"] == "C0TEAM" and post["thread_ts"] == "1700.1"
    assert "Kubernetes for Developers" in json.dumps(post["blocks"])


def test_private_replies_in_a_channel_are_ephemeral(world: SlackWorld) -> None:
    world.event({"type": "app_mention", "channel": "C0TEAM", "user": "UDANA", "ts": "1700.2",
                 "text": "<@UBADGERBOT> my status"})
    ephemeral = world.slack.wait_for("chat.postEphemeral")[0].args
    assert ephemeral["user"] == "UDANA" and ephemeral["thread_ts"] == "1700.2"
    assert world.slack.posted() == []  # nothing personal in the open channel


def test_assistant_thread_gets_prompts_status_title_and_answer(world: SlackWorld) -> None:
    started = {"type": "assistant_thread_started", "assistant_thread": {
        "user_id": "UDANA", "channel_id": "DDANA", "thread_ts": "1800.1", "context": {}}}
    world.event(started)
    prompts = world.slack.wait_for("assistant.threads.setSuggestedPrompts")[0].args
    assert prompts["thread_ts"] == "1800.1" and len(prompts["prompts"]) >= 3
    world.dm("UDANA", "sql course", thread_ts="1800.1")
    world.slack.wait_for("assistant.threads.setStatus")
    title = world.slack.wait_for("assistant.threads.setTitle")[0].args
    assert title["title"] == "sql course"
    answer = world.wait(lambda: [p for p in world.slack.posted() if "SQL for Everyone" in json.dumps(p)])[0]
    assert answer["thread_ts"] == "1800.1"


def test_a_stranger_gets_catalogue_answers_but_no_records(world: SlackWorld) -> None:
    world.dm("UNOBODY", "my status")
    update = world.slack.wait_for("chat.update")[0].args
    assert "directory" in update["text"]
