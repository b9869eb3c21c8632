"""One reply from start to finish: placeholder, the assistant's answer, delivery, and failure handling."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.slack.replies import Place, apologise, placeholder, send
from skills.assistant.messages import Action, Message


def acknowledge(ack: Ack) -> None:
    """The immediate part of a listener whose work is lazy: just the ack."""
    ack()


def reply(client: WebClient, place: Place, produce: Callable[[], Message]) -> None:
    """Show a placeholder where it can be updated, produce the message, deliver it; apologise on failure."""
    ts: str | None = None
    try:
        ts = placeholder(client, place)
        send(client, place, produce(), replace_ts=ts)
    except Exception as exc:  # noqa: BLE001 (a worker thread's failure must reach the user, not vanish)
        apologise(client, place, exc, replace_ts=ts)


def parse_action(value: str) -> Action | None:
    """The action a button carries, or None when the value isn't one of ours."""
    try:
        return Action.parse(value)
    except ValueError:
        return None
