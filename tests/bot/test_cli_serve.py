"""`badger serve --http` as a real process: serves signed requests and /healthz, delivers notices, stops on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from sqlmodel import Session

from knowledge.base import KnowledgeBase
from skills.notices import add_notice
from tests.bot.slack.conftest import SECRET, TOKEN, signature
from tests.fakes.slack_server import FakeSlack
from tests.knowledge.conftest import make_settings
from tests.skills.assistant.conftest import CATALOGUE, add_org

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def served(tmp_path: Path, slack: FakeSlack) -> Iterator[tuple[subprocess.Popen[str], str, KnowledgeBase]]:
    """`badger serve --http` on a free port over the test catalogue and org."""
    data = tmp_path / "data"
    kb = KnowledgeBase(make_settings(badger_data_dir=data))
    kb.load([CATALOGUE])
    add_org(kb)
    env = {**os.environ, "BADGER_DATA_DIR": str(data), "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_API_URL": slack.api_url, "BADGER_OUTBOX_INTERVAL_SECONDS": "0.2", "COLUMNS": "250"}
    for name in ("SLACK_APP_TOKEN", "OPENAI_API_KEY", "DATABASE_URL", "CHROMA_URL"):
        env.pop(name, None)
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--http", "--host", "127.0.0.1",
                                "--port", "0"], cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    try:  # killed whatever happens, a failed start included: a test leaves no process running
        deadline = time.monotonic() + 180
        url, seen = "", []
        while time.monotonic() < deadline and not url:
            line = process.stdout.readline()
            if not line:
                break
            seen.append(line)
            if match := re.search(r"(http://127\.0\.0\.1:\d+)/slack/events", line):
                url = match.group(1)
        assert url, "badger serve did not start:\n" + "".join(seen[-30:])
        yield process, url, kb
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_http_answers_signed_commands_and_delivers_notices(
        served: tuple[subprocess.Popen[str], str, KnowledgeBase], slack: FakeSlack) -> None:
    process, url, kb = served
    assert httpx.get(f"{url}/healthz").json()["ok"] is True
    deadline = time.monotonic() + 120  # ready once the answer process has loaded its model
    while not (ready := httpx.get(f"{url}/readyz")).json()["ok"]:
        assert time.monotonic() < deadline and ready.json()["model"] == "loading", ready.text
        time.sleep(0.2)
    body = urlencode({"command": "/learn", "text": "sql", "user_id": "UDANA", "channel_id": "C1",
                      "response_url": slack.response_url("learn"), "trigger_id": "t1", "team_id": "T0BADGER"}).encode()
    ts = int(time.time())
    headers = {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": signature(body, ts),
               "Content-Type": "application/x-www-form-urlencoded"}
    assert httpx.post(f"{url}/slack/events", content=body, headers=headers).status_code == 200
    assert "SQL for Everyone" in str(slack.wait_for("response_url", timeout=120)[0].args["blocks"])
    deadline = time.monotonic() + 60  # the answer process records its latency just after posting
    while "badger_answer_seconds_count 1.0" not in (metrics := httpx.get(f"{url}/metrics").text):
        assert time.monotonic() < deadline, metrics
        time.sleep(0.1)
    lines = [line for line in metrics.splitlines() if line.startswith(("badger_ack_seconds_count",
                                                                        "badger_work_queue_depth"))]
    assert "badger_ack_seconds_count 1.0" in lines and 'badger_work_queue_depth{state="pending"} 0.0' in lines, lines
    headers["X-Slack-Signature"] = signature(body, ts, "wrong")
    assert httpx.post(f"{url}/slack/events", content=body, headers=headers).status_code == 401

    with Session(kb.engine) as session:  # a notice written by another replica: this process's deliverer posts it
        add_notice(session, kind="reminder", recipient_id="UDANA", idempotency_key="k-1",
                   payload={"title": "SQL for Everyone", "due_date": "2026-12-01"})
        session.commit()
    assert slack.wait_for("chat.postMessage")[0].args["channel"] == "DDANA"

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0


def test_serve_refuses_to_start_without_the_signing_secret(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "serve", "--http"], cwd=tmp_path, text=True,
                            env={**env, "SLACK_BOT_TOKEN": TOKEN, "PYTHONPATH": str(ROOT),
                                 "BADGER_DATA_DIR": str(tmp_path / "d")}, capture_output=True, timeout=60)
    assert result.returncode == 2 and "SLACK_SIGNING_SECRET" in result.stderr


def test_serve_refuses_to_start_with_a_bot_token_slack_rejects(tmp_path: Path, slack: FakeSlack) -> None:
    slack.tokens = {"xoxb-the-real-one"}
    (tmp_path / "data").mkdir()
    env = {**os.environ, "BADGER_DATA_DIR": str(tmp_path / "data"), "SLACK_BOT_TOKEN": TOKEN,
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url, "BADGER_ANSWER_PROCESSES": "0",
           "PYTHONPATH": str(ROOT), "COLUMNS": "250"}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "serve", "--http", "--host", "127.0.0.1", "--port", "0"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "Slack refused the bot token (invalid_auth)" in done.stdout + done.stderr
    assert TOKEN not in done.stdout + done.stderr  # the secret itself is never printed
    assert [c.method for c in slack.calls] == ["auth.test"]  # nothing else was tried with it
