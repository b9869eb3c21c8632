"""The Slack app served over real HTTP on loopback, signed requests in, Web API calls out to a fake Slack."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlmodel import Session, col, select

from bot.slack.app import build_app, web_client
from bot.slack.blocks import ACTION_PREFIX
from bot.slack.services import Services
from bot.web.app import build_web_app
from bot.web.server import serving_in_thread
from core.db import init_db, make_engine
from knowledge.base import KnowledgeBase
from skills.models import Enrolment, Notice
from tests.fakes.slack_server import FakeSlack
from tests.knowledge.conftest import make_settings
from tests.skills.assistant.conftest import CATALOGUE, add_org
from tests.skills.conftest import db_url  # noqa: F401  (the [sqlite] / [postgres] database fixture)
from tests.skills.factories import Org, make_org

SECRET = "test-signing-secret-8f2d"
TOKEN = "xoxb-test-token"
_ids = itertools.count(1)


def signature(body: bytes, timestamp: int, secret: str = SECRET) -> str:
    """Slack's v0 request signature."""
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class SlackWorld:
    """The app over HTTP, the fake Slack it talks to, and helpers that send what Slack sends."""

    url: str
    slack: FakeSlack
    services: Services
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base (catalogue and records) behind the app."""
        return self.services.kb

    def post(self, body: bytes, content_type: str, *, timestamp: int | None = None, secret: str = SECRET,
             headers: dict[str, str] | None = None) -> httpx.Response:
        """POST a body to /slack/events, signed like Slack signs it."""
        ts = int(time.time()) if timestamp is None else timestamp
        sent = {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(ts),
                "X-Slack-Signature": signature(body, ts, secret), **(headers or {})}
        return self.http.post(f"{self.url}/slack/events", content=body, headers=sent)

    def event(self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None) -> httpx.Response:
        """An Events API callback."""
        body = {"type": "event_callback", "team_id": "T0BADGER", "api_app_id": "A0BADGER",
                "event_id": event_id or f"Ev{next(_ids):06d}", "event_time": int(time.time()), "event": event,
                "authorizations": [{"user_id": "UBADGERBOT", "team_id": "T0BADGER", "is_bot": True}]}
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return self.post(json.dumps(body).encode(), "application/json", headers=headers)

    def dm(self, user: str, text: str, **extra: Any) -> httpx.Response:
        """A direct message to the bot."""
        channel = "D" + user.lstrip("U")
        return self.event({"type": "message", "channel_type": "im", "channel": channel, "user": user, "text": text,
                           "ts": f"{time.time():.6f}", **extra})

    def command(self, command: str, text: str, *, user: str, channel: str = "C0LEARN",
                response_url: str | None = None) -> httpx.Response:
        """A slash command."""
        form = {"command": command, "text": text, "user_id": user, "channel_id": channel, "team_id": "T0BADGER",
                "trigger_id": f"trig{next(_ids)}", "response_url": response_url or self.slack.response_url(command[1:]),
                "api_app_id": "A0BADGER"}
        return self.post(urlencode(form).encode(), "application/x-www-form-urlencoded")

    def interact(self, payload: dict[str, Any]) -> httpx.Response:
        """An interactivity payload (button, modal submission, shortcut, options)."""
        payload.setdefault("team", {"id": "T0BADGER"})
        payload.setdefault("api_app_id", "A0BADGER")
        payload.setdefault("trigger_id", f"trig{next(_ids)}")
        return self.post(urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded")

    def press(self, user: str, message: dict[str, Any], label: str, *, channel: str = "",
              ephemeral: bool = False, response_url: str | None = None, action_ts: str = "") -> httpx.Response:
        """Press the button whose label starts with `label` on a message the fake recorded (its args)."""
        for block in message.get("blocks", []):
            for element in block.get("elements", []) if block.get("type") == "actions" else []:
                if element["text"]["text"].startswith(label):
                    channel = channel or str(message.get("channel", ""))
                    container = {"type": "message", "channel_id": channel, "is_ephemeral": ephemeral,
                                 "message_ts": message.get("ts", "1.0")}
                    if message.get("thread_ts"):
                        container["thread_ts"] = message["thread_ts"]
                    return self.interact({
                        "type": "block_actions", "user": {"id": user}, "container": container,
                        "channel": {"id": channel}, "message": {"ts": message.get("ts", "1.0"),
                                                                "text": message.get("text", ""),
                                                                "blocks": message.get("blocks", [])},
                        "response_url": response_url or self.slack.response_url("button"),
                        "actions": [{**element, "block_id": block.get("block_id", "b"),
                                     "action_ts": action_ts or f"{time.time():.6f}"}]})
        raise AssertionError(f"no button {label!r} in {json.dumps(message)[:500]}")

    def wait(self, check: Callable[[], Any], timeout: float = 60.0) -> Any:
        """Poll until `check()` is truthy (lazy listeners answer after the ack); its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.02)
        raise AssertionError(f"timed out; Slack saw {[c.method for c in self.slack.calls]}")

    def settle(self, rounds: int = 2) -> None:
        """Wait until the app has finished the work of every request sent before (then assert what did NOT happen).

        Needs the one-worker world (`serial_world`): lazy work then runs in the order it was queued, so once a
        sentinel press sent now is answered (through a response_url the fake keeps out of `calls`), all work
        queued before it is done; the second round covers work that this work queued in turn.
        """
        assert self.services.settings.badger_slack_workers == 1, "settle() needs the serial_world fixture"
        for _ in range(rounds):
            name = f"sentinel-{next(_ids)}"
            button = {"type": "button", "action_id": f"{ACTION_PREFIX}sentinel", "block_id": "b", "value": "",
                      "text": {"type": "plain_text", "text": "sentinel"}, "action_ts": f"{time.time():.6f}"}
            assert self.interact({
                "type": "block_actions", "user": {"id": "USENTINEL"}, "channel": {"id": "C0SENTINEL"},
                "container": {"type": "message", "channel_id": "C0SENTINEL", "is_ephemeral": True,
                              "message_ts": "1.0"},
                "response_url": self.slack.response_url(name), "actions": [button]}).status_code == 200
            self.wait(lambda name=name: name in self.slack.sentinels)  # type: ignore[misc]

    def enrolments(self) -> list[Enrolment]:
        """Every enrolment row."""
        with Session(self.kb.engine) as session:
            return list(session.exec(select(Enrolment).order_by(col(Enrolment.id))))

    def notices(self) -> list[Notice]:
        """Every outbox row."""
        with Session(self.kb.engine) as session:
            return list(session.exec(select(Notice).order_by(col(Notice.id))))


@pytest.fixture
def org(db_url: str) -> Iterator[Org]:  # noqa: F811 (db_url is the [sqlite] / [postgres] fixture)
    """The standard test org on a fresh database (SQLite and PostgreSQL)."""
    engine = make_engine(db_url)
    init_db(engine)
    yield make_org(engine)
    engine.dispose()


@pytest.fixture
def make_slack_world(tmp_path: Path, slack: FakeSlack) -> Iterator[Callable[..., SlackWorld]]:
    """Build the served app over the test catalogue and org (offline unless settings say otherwise)."""
    with contextlib.ExitStack() as stack:

        def _make(**overrides: Any) -> SlackWorld:
            settings = make_settings(badger_data_dir=tmp_path / "data", slack_bot_token=TOKEN,
                                     slack_signing_secret=SECRET, slack_api_url=slack.api_url, **overrides)
            kb = KnowledgeBase(settings)
            kb.load([CATALOGUE])
            add_org(kb)
            services = Services.build(settings, kb)
            stack.callback(services.stop_workers, 5)
            app = build_app(services, client=web_client(settings))
            url = stack.enter_context(serving_in_thread(build_web_app(settings, services, app), settings))
            return SlackWorld(url, slack, services)

        yield _make


@pytest.fixture
def world(make_slack_world: Callable[..., SlackWorld]) -> SlackWorld:
    """The offline app."""
    return make_slack_world()


@pytest.fixture
def serial_world(make_slack_world: Callable[..., SlackWorld]) -> SlackWorld:
    """The offline app with one answer thread, so `settle()` can tell when everything sent before is done."""
    return make_slack_world(badger_slack_workers=1)
