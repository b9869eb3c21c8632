"""`badger serve` in Socket Mode against a fake Slack WebSocket endpoint, and its clear errors on missing settings.

`run_server` blocks until SIGTERM (its handler is installed only on the main thread), so it runs on pytest's
main thread while a driver thread plays Slack and then sends the SIGTERM a container would get.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.cli_db import upgrade_database
from bot.cli_serve import run_server
from core.settings import Settings
from knowledge.base import KnowledgeBase
from tests.bot.slack.conftest import TOKEN
from tests.fakes.slack_server import FakeSlack
from tests.fakes.socket_mode_server import FakeSocketMode
from tests.knowledge.conftest import make_settings
from tests.skills.assistant.conftest import CATALOGUE, add_org

APP_TOKEN = "xapp-1-A0BADGER-test"


@pytest.fixture
def socket(slack: FakeSlack) -> Iterator[FakeSocketMode]:
    """A fake Socket Mode endpoint that the fake Web API hands out."""
    fake = FakeSocketMode()
    slack.socket_mode_url = fake.url
    yield fake
    fake.stop()


@pytest.fixture
def settings(tmp_path: Path, slack: FakeSlack) -> Settings:
    """Socket Mode settings over a migrated database holding the test catalogue and org."""
    settings = make_settings(badger_data_dir=tmp_path / "data", slack_bot_token=TOKEN, slack_app_token=APP_TOKEN,
                             slack_api_url=slack.api_url, badger_outbox_interval_seconds=0.2,
                             badger_slack_workers=1, badger_answer_processes=1)  # one of each: work runs in order
    settings.badger_data_dir.mkdir(parents=True)
    upgrade_database(settings.resolved_database_url)
    kb = KnowledgeBase(settings)
    kb.load([CATALOGUE])
    add_org(kb)
    return settings


def serve_while(settings: Settings, drive: Callable[[], None]) -> None:
    """Run `run_server` on this (main) thread while `drive` runs on another, then stop it with SIGTERM."""
    assert threading.current_thread() is threading.main_thread()

    def placeholder(_signum: int, _frame: Any) -> None:
        """Absorbs a SIGTERM sent before run_server installed its own handler."""

    previous = signal.signal(signal.SIGTERM, placeholder)
    done = threading.Event()
    failures: list[BaseException] = []

    def driver() -> None:
        try:
            drive()
        except BaseException as exc:  # noqa: BLE001 (re-raised on the main thread)
            failures.append(exc)
        finally:
            deadline = time.monotonic() + 120
            while not done.is_set() and signal.getsignal(signal.SIGTERM) is placeholder and time.monotonic() < deadline:
                time.sleep(0.02)
            if not done.is_set():
                os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=driver, name="socket-mode-driver", daemon=True)
    thread.start()
    try:
        run_server(settings, http=False)
    finally:
        done.set()
        thread.join(timeout=60)
        signal.signal(signal.SIGTERM, previous)
    if failures:
        raise failures[0]


def dm_event(event_id: str, text: str) -> dict[str, Any]:
    """An Events API body: a direct message from Dana."""
    return {"type": "event_callback", "team_id": "T0BADGER", "api_app_id": "A0BADGER", "event_id": event_id,
            "event_time": int(time.time()),
            "event": {"type": "message", "channel_type": "im", "channel": "DDANA", "user": "UDANA", "text": text,
                      "ts": f"{time.time():.6f}"},
            "authorizations": [{"user_id": "UBADGERBOT", "team_id": "T0BADGER", "is_bot": True}]}


def test_socket_mode_acks_over_the_socket_and_answers_through_the_web_api(
        settings: Settings, slack: FakeSlack, socket: FakeSocketMode) -> None:
    def drive() -> None:
        socket.wait_connected()
        opened = slack.wait_for("apps.connections.open")[0]
        assert opened.headers.get("Authorization") == f"Bearer {APP_TOKEN}"
        assert socket.paths[0].startswith("/link/")

        ack = socket.wait_ack(socket.push("slash_commands", learn("free python course", slack.response_url("learn"))))
        assert ack["payload"] == {"text": "_Looking that up…_", "response_type": "ephemeral"}
        answer = slack.wait_for("response_url", timeout=120)[0]
        assert answer.path == "/response/learn" and "Python Basics" in json.dumps(answer.args["blocks"])

        first = socket.push("events_api", dm_event("EvSOCKET1", "free python course"), envelope_id="env-dm")
        assert socket.wait_ack(first) == {"envelope_id": "env-dm"}
        update = slack.wait_for("chat.update", timeout=120)[0].args
        placeholder = slack.posted()[0]
        assert placeholder["channel"] == "DDANA" and "Looking" in placeholder["text"]
        assert update["ts"] == slack.messages["DDANA"][0]["ts"] and "Python Basics" in json.dumps(update["blocks"])

        again = socket.push("events_api", dm_event("EvSOCKET1", "free python course"), retry_attempt=1)
        socket.wait_ack(again)  # acked, so Slack stops retrying, but answered once
        sentinel = socket.push("events_api", dm_event("EvSOCKET2", "sql course"))  # queued after any retry work
        socket.wait_ack(sentinel)
        updates = slack.wait_for("chat.update", 2, timeout=120)
        assert "SQL for Everyone" in json.dumps(updates[-1].args["blocks"])  # the sentinel's answer came last
        assert len(slack.of("chat.update")) == 2 and len(slack.posted()) == 2

    serve_while(settings, drive)
    assert not socket.connections  # SIGTERM closed the socket


def test_after_slack_asks_to_reconnect_a_command_and_its_button_work(
        settings: Settings, slack: FakeSlack, socket: FakeSocketMode) -> None:
    def drive() -> None:
        socket.wait_connected()
        socket.disconnect()
        socket.wait_connected(count=2)
        assert len(slack.wait_for("apps.connections.open", 2)) == 2
        socket.wait_ack(socket.push("slash_commands", learn("sql", slack.response_url("learn"))))
        answer = slack.wait_for("response_url", timeout=120)[0].args
        enrol = button(answer, "Enrol #1")
        press = {"type": "block_actions", "user": {"id": "UDANA"}, "team": {"id": "T0BADGER"},
                 "api_app_id": "A0BADGER", "trigger_id": "trig-2", "channel": {"id": "C0LEARN"},
                 "container": {"type": "message", "channel_id": "C0LEARN", "is_ephemeral": True, "message_ts": "1.0"},
                 "response_url": slack.response_url("button"), "actions": [{**enrol, "action_ts": "2.0"}]}
        envelope = socket.push("interactive", press)
        assert socket.wait_ack(envelope) == {"envelope_id": envelope}
        done = slack.wait_for("response_url", 2, timeout=120)[1]
        assert done.path == "/response/button" and "enrolled" in done.args["text"]

    serve_while(settings, drive)


def learn(text: str, response_url: str) -> dict[str, Any]:
    """A /learn slash command's payload, from Dana in a channel."""
    return {"command": "/learn", "text": text, "user_id": "UDANA", "channel_id": "C0LEARN", "team_id": "T0BADGER",
            "api_app_id": "A0BADGER", "trigger_id": "trig-1", "response_url": response_url}


def button(message: dict[str, Any], label: str) -> dict[str, Any]:
    """The button whose label starts with `label`, with its block_id, as an action in block_actions."""
    for block in message.get("blocks", []):
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element["text"]["text"].startswith(label):
                return {**element, "block_id": block.get("block_id", "b")}
    raise AssertionError(f"no button {label!r} in {json.dumps(message)[:500]}")


@pytest.fixture
def bare_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No Slack settings anywhere: a temp working directory (no .env) and none in the environment."""
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "DATABASE_URL",
                 "CHROMA_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BADGER_DATA_DIR", str(tmp_path / "data"))


@pytest.mark.parametrize(("env", "args", "named"), [
    ({}, [], "SLACK_BOT_TOKEN"),
    ({"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}, ["--http"], "SLACK_SIGNING_SECRET"),
    ({"SLACK_BOT_TOKEN": TOKEN}, [], "SLACK_APP_TOKEN"),
    ({"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": "s3cret-signing"}, [], "badger serve --http"),
])
def test_serve_names_the_missing_setting(bare_env: None, monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                         args: list[str], named: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["serve", *args])
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert named in message and "Traceback" not in result.output
