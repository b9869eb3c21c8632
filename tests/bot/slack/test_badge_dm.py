"""Badge imports by DM: a shared file (downloaded from Slack with the bot token), a link, pasted JSON."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlmodel import Session, select

from bot.slack.app import web_client
from bot.slack.listeners.badges import badge_source, handle_dm
from skills.models import Badge, Enrolment, State
from tests.bot.slack.conftest import TOKEN, SlackWorld
from tests.skills.badges.badge_helpers import credential, png_with, sign_di
from tests.skills.factories import set_email


class SlackFiles:
    """Stands in for files.slack.com on loopback: serves bytes by path and records each request's headers."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[dict[str, str]] = []
        files = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                files.requests.append({"path": self.path, **dict(self.headers)})
                body = files.files.get(self.path.split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def share(self, name: str, body: bytes, filetype: str) -> dict[str, Any]:
        """A file object as Slack puts it in a file_share message."""
        path = f"/files-pri/T0BADGER-F1/{name}"
        self.files[path] = body
        return {"id": "F1", "name": name, "filetype": filetype, "size": len(body), "url_private": self.base + path,
                "url_private_download": self.base + path + "?download=1"}


@pytest.fixture
def files() -> Iterator[SlackFiles]:
    server = SlackFiles()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def world(world: SlackWorld) -> SlackWorld:
    """The served app, with Dana's email on file (badges are matched to it)."""
    set_email(world.kb.engine, "UDANA", "dana@example.com")
    return world


@pytest.fixture
def client(world: SlackWorld) -> WebClient:
    return web_client(world.services.settings)


def dm(text: str = "", **extra: Any) -> dict[str, Any]:
    return {"type": "message", "channel_type": "im", "channel": "DDANA", "user": "UDANA", "text": text,
            "ts": "1700000000.000100", **extra}


def badge_json(**kwargs: Any) -> str:
    return json.dumps(sign_di(credential(email="dana@example.com", name="Python Basics",
                                         issuer_name="Northfield University", **kwargs)))


def replies(world: SlackWorld) -> list[str]:
    return [m["text"] for m in world.slack.posted() if m["channel"] == "DDANA"]


def badges(world: SlackWorld) -> list[Badge]:
    with Session(world.kb.engine) as session:
        return list(session.exec(select(Badge)))


def test_a_baked_png_shared_in_a_dm_is_downloaded_verified_and_recorded(
    world: SlackWorld, client: WebClient, files: SlackFiles,
) -> None:
    shared = files.share("python-basics.png", png_with(badge_json()), "png")
    assert handle_dm(dm(subtype="file_share", files=[shared]), client, world.services) is True
    [reply] = replies(world)
    assert "Verified" in reply and "Python Basics" in reply and "Northfield University" in reply
    assert "Skills added to your profile: Python Programming" in reply
    assert files.requests[0]["Authorization"] == f"Bearer {TOKEN}"
    [badge] = badges(world)
    assert badge.employee_id == "UDANA" and badge.credential_id == "py-basics"
    with Session(world.kb.engine) as session:
        enrolment = session.get(Enrolment, badge.enrolment_id)
        assert enrolment is not None and enrolment.state == State.EARNED and enrolment.badge_verified_at
    home = json.dumps(world.slack.wait_for("views.publish")[-1].args["view"], ensure_ascii=False)
    assert "Python Basics (Northfield University) ✅ verified" in home


def test_sending_the_same_badge_again_changes_nothing(world: SlackWorld, client: WebClient, files: SlackFiles) -> None:
    shared = files.share("badge.json", badge_json().encode(), "json")
    handle_dm(dm(subtype="file_share", files=[shared]), client, world.services)
    handle_dm(dm(subtype="file_share", files=[shared]), client, world.services)
    assert "already added" in replies(world)[-1] and len(badges(world)) == 1


def test_a_file_from_another_host_is_not_downloaded(world: SlackWorld, client: WebClient) -> None:
    foreign = {"id": "F2", "name": "badge.json", "filetype": "json", "size": 10,
               "url_private": "https://files.evil.example/badge.json"}
    assert handle_dm(dm(subtype="file_share", files=[foreign]), client, world.services) is True
    assert "only read files shared in this Slack workspace" in replies(world)[0] and badges(world) == []


def test_a_tampered_badge_is_refused_with_its_failed_checks(world: SlackWorld, client: WebClient) -> None:
    document = json.loads(badge_json())
    document["credentialSubject"]["achievement"]["name"] = "Python Basicz"
    assert handle_dm(dm(json.dumps(document)), client, world.services) is True
    reply = replies(world)[0]
    assert "couldn't verify this badge" in reply and "• *proof*" in reply and badges(world) == []


def test_a_badge_link_to_a_private_address_is_refused_with_the_reason(
    world: SlackWorld, client: WebClient, files: SlackFiles,
) -> None:
    assert handle_dm(dm(f"here is my badge <{files.base}/badge.json>"), client, world.services) is True
    reply = replies(world)[0]
    assert "• *parse*" in reply and "local or private addresses" in reply
    assert files.requests == [] and badges(world) == []


@pytest.mark.parametrize("event", [
    dm("free python course for beginners"),
    dm("what is <https://www.coursera.org/learn/python|this course> about?"),
    dm("", subtype="file_share", files=[{"id": "F3", "name": "cv.pdf", "filetype": "pdf", "url_private": "x"}]),
    dm("my badge https://example.org/b", bot_id="B0BADGER"),
])
def test_other_dms_are_left_to_the_assistant_without_side_effects(
    world: SlackWorld, client: WebClient, event: dict[str, Any],
) -> None:
    assert handle_dm(event, client, world.services) is False
    assert [c.method for c in world.slack.calls if c.method != "auth.test"] == []


@pytest.mark.parametrize(("text", "wanted"), [
    ("<https://badges.example.org/a/1>", "https://badges.example.org/a/1"),
    ("My new badge: <https://credly.com/badges/abc|credly.com/badges/abc>!", "https://credly.com/badges/abc"),
    ('```{"@context": ["<https://www.w3.org/ns/credentials/v2>"], "credentialSubject": {}}```',
     '{"@context": ["https://www.w3.org/ns/credentials/v2"], "credentialSubject": {}}'),
])
def test_what_counts_as_a_badge_dm(text: str, wanted: str) -> None:
    source = badge_source(dm(text))
    assert source is not None and source.text == wanted


def test_a_badge_file_sent_by_dm_over_http_is_verified(world: SlackWorld, files: SlackFiles) -> None:
    """End to end: needs the DM listener (listeners/messages.py) to call `handle_dm` first."""
    shared = files.share("badge.json", badge_json().encode(), "json")
    assert world.dm("UDANA", "", subtype="file_share", files=[shared]).status_code == 200
    reply = world.wait(lambda: [t for t in replies(world) if "Verified" in t or "❌" in t])[0]
    assert "Verified" in reply and len(badges(world)) == 1
    assert not [m for m in world.slack.posted() if "Looking" in m["text"]]  # the assistant stayed out of it
