"""Whole loops in Slack: request → the manager's DM → Approve; completion → Confirm earned → one shoutout."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

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


def test_manager_confirms_a_finished_course_and_the_team_sees_one_shoutout(world: SlackWorld) -> None:
    deliverer = Deliverer(web_client(world.services.settings), world.kb.engine)
    channel = world.slack.add_channel("learning")
    answer = answer_to(world, "UDANA", "sql course")
    world.press("UDANA", answer, "Enrol #1")
    world.wait(lambda: world.enrolments())
    answer_to(world, "UDANA", "I finished the sql one")
    assert world.enrolments()[0].state == "completed"
    deliverer.deliver_once()
    ask = next(m for m in world.slack.messages["DMIA"] if "Confirm earned" in json.dumps(m["blocks"]))
    world.press("UMIA", {**ask, "channel": "DMIA"}, "Confirm earned")
    world.press("UMIA", {**ask, "channel": "DMIA"}, "Confirm earned")  # a double click
    world.wait(lambda: world.enrolments()[0].state == "earned")
    later = datetime.now(UTC) + timedelta(minutes=11)  # past the manager's hold window
    deliverer.deliver_once(now=later)
    deliverer.deliver_once(now=later)
    shoutouts = world.slack.messages.get(channel, [])
    assert len(shoutouts) == 1 and "SQL for Everyone" in json.dumps(shoutouts[0]["blocks"])
    assert "<@UDANA|Dana Dev>" in json.dumps(shoutouts[0]["blocks"])
    assert world.slack.of("reactions.add")[0].args["timestamp"] == shoutouts[0]["ts"]
