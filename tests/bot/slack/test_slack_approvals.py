"""The whole approval loop in Slack: request → the manager's DM (from the outbox) → Approve → the employee told."""

from __future__ import annotations

import json

from bot.slack.app import web_client
from bot.slack.outbox import Deliverer
from tests.bot.slack.conftest import SlackWorld
from tests.bot.slack.test_slack_buttons import answer_to


def test_request_is_delivered_to_the_manager_who_approves_from_the_dm(world: SlackWorld) -> None:
    deliverer = Deliverer(web_client(world.services.settings), world.kb.engine)
    answer = answer_to(world, "UDANA", "kubernetes course")
    world.press("UDANA", answer, "Enrol #1")
    world.wait(lambda: world.enrolments())
    assert deliverer.deliver_once().sent == 1
    request = next(m for m in world.slack.messages["DMIA"] if "Approve" in json.dumps(m["blocks"]))
    assert "Dana Dev" in request["text"]
    assert deliverer.deliver_once().sent == 0  # never twice

    world.press("UMIA", {**request, "channel": "DMIA"}, "Approve")
    world.wait(lambda: world.enrolments()[0].state == "approved")
    settled = world.wait(lambda: [c.args for c in world.slack.of("chat.update") if c.args["ts"] == request["ts"]])
    assert not [b for b in settled[0]["blocks"] if b["type"] == "actions"]
    assert deliverer.deliver_once().sent == 1
    told = world.slack.messages["DDANA"][-1]
    assert "approved" in told["text"].lower() and "Kubernetes" in told["text"]
