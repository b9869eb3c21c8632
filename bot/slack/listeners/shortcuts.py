"""The "Nominate for a credential" shortcut, global and on a message (the message's author is prefilled)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack import modals
from bot.slack.services import Services

NOMINATE_SHORTCUT = "nominate_for_credential"


def register(app: App, services: Services) -> None:
    """Both shortcut types share the callback_id; ack and open the form at once (the trigger lasts 3 s)."""

    @app.shortcut(NOMINATE_SHORTCUT)
    def open_nominate(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=modals.nominate_modal(employee_id=author(body)))


def author(body: dict[str, Any]) -> str | None:
    """The person who wrote the message a message shortcut was used on (None for bots and global shortcuts)."""
    if body.get("type") != "message_action":
        return None
    message = body.get("message") or {}
    user = message.get("user")
    if message.get("bot_id") or not isinstance(user, str) or user == (body.get("user") or {}).get("id"):
        return None
    return user
