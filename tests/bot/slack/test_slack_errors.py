"""Failures: logged with a reference, and the user told something useful, never the raw exception."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from tests.bot.slack.conftest import SlackWorld


def test_a_failure_in_slow_work_is_apologised_for_without_details(world: SlackWorld,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    with world.kb.engine.begin() as connection:  # the conversation memory is gone: every turn now fails
        connection.execute(text("DROP TABLE conversation_turn"))
    with caplog.at_level(logging.ERROR, logger="bot.slack.replies"):
        world.dm("UDANA", "free python course")
        update = world.slack.wait_for("chat.update")[0].args
    assert "something went wrong on my side" in update["text"] and "conversation_turn" not in update["text"]
    reference = update["text"].split("`")[1]
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)


def test_a_failure_while_acking_reaches_the_global_handler(world: SlackWorld,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    world.slack.fail("views.open", error="expired_trigger_id")
    with caplog.at_level(logging.ERROR, logger="bot.slack.replies"):
        world.command("/nominate", "", user="UMIA")
        apology = world.wait(lambda: [c.args for c in world.slack.of("response_url")])[0]
    assert "something went wrong" in apology["text"] and "expired_trigger_id" not in apology["text"]
    assert apology["response_type"] == "ephemeral"
    assert any("SlackApiError" in r.getMessage() for r in caplog.records)
