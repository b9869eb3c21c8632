"""Slash commands: quick ack, usage help, the answer through response_url, privately."""

from __future__ import annotations

import json

import pytest

from tests.bot.slack.conftest import SlackWorld


def _responses(world: SlackWorld, name: str) -> list[dict]:
    return [c.args for c in world.slack.of("response_url") if c.path.endswith("/" + name)]


@pytest.mark.parametrize("command", ["/learn", "/whohas"])
def test_empty_command_acks_with_usage(world: SlackWorld, command: str) -> None:
    response = world.command(command, "", user="UDANA")
    assert response.status_code == 200
    body = response.json()
    assert body["response_type"] == "ephemeral" and command in body["text"]


@pytest.mark.parametrize("command,text", [("/progress", "the AWS one 250%"), ("/nominate", "UERIN sql"),
                                          ("/badges", "not a mention"), ("/learn", "help")])
def test_bad_arguments_ack_with_usage(world: SlackWorld, command: str, text: str) -> None:
    body = world.command(command, text, user="UMIA").json()
    assert command in body["text"] and body["response_type"] == "ephemeral"


def test_learn_answers_privately_through_response_url(world: SlackWorld) -> None:
    ack = world.command("/learn", "free python course", user="UDANA")
    assert ack.status_code == 200 and "Looking" in ack.json()["text"]
    answer = world.wait(lambda: _responses(world, "learn"))[0]
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    assert "Python Basics" in json.dumps(answer["blocks"])


def test_progress_without_arguments_shows_my_learning(world: SlackWorld) -> None:
    world.command("/learn", "sql", user="UDANA")
    world.wait(lambda: _responses(world, "learn"))
    world.command("/progress", "", user="UDANA")
    status = world.wait(lambda: _responses(world, "progress"))[0]
    assert "no enrolments yet" in status["text"]


def test_progress_records_a_percentage(world: SlackWorld) -> None:
    from tests.bot.slack.test_slack_buttons import enrol_dana_in_sql

    enrol_dana_in_sql(world)
    world.command("/progress", "the sql one 40%", user="UDANA")
    world.wait(lambda: _responses(world, "progress"))
    assert world.enrolments()[0].percent == 40


def test_nominate_by_command_checks_who_is_acting(world: SlackWorld) -> None:
    world.command("/nominate", "<@UDANA|dana> sql-intro because our team needs SQL", user="UERIN")
    refused = world.wait(lambda: _responses(world, "nominate"))[0]
    assert "manager" in refused["text"].lower() and world.enrolments() == []
    world.command("/nominate", "<@UDANA|dana> sql-intro because our team needs SQL", user="UMIA")
    world.wait(lambda: len(_responses(world, "nominate")) == 2)
    assert [(e.employee_id, e.state) for e in world.enrolments()] == [("UDANA", "nominated")]


def test_empty_nominate_opens_the_form(world: SlackWorld) -> None:
    assert world.command("/nominate", "", user="UMIA").status_code == 200
    opened = world.slack.wait_for("views.open")[0].args
    assert opened["trigger_id"].startswith("trig") and opened["view"]["type"] == "modal"


def test_badges_of_someone_else_needs_their_manager(world: SlackWorld) -> None:
    world.command("/badges", "<@UERIN|erin>", user="UDANA")
    refused = world.wait(lambda: _responses(world, "badges"))[0]
    assert "manager" in refused["text"]
    world.command("/badges", "<@UERIN|erin>", user="UMIA")
    shown = world.wait(lambda: len(_responses(world, "badges")) == 2 and _responses(world, "badges"))[1]
    assert "Erin Eng has no badges yet" in shown["text"]


def test_whohas_is_for_managers(world: SlackWorld) -> None:
    world.command("/whohas", "kubernetes", user="UMIA")
    answer = world.wait(lambda: _responses(world, "whohas"))[0]
    assert "kubernetes" in answer["text"].lower()
