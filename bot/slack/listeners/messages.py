"""Direct messages and mentions: the words go to the assistant; the answer comes back in place."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack.answers import Task
from bot.slack.listeners import badges
from bot.slack.replies import Place, is_shared
from bot.slack.services import Services
from bot.slack.text import plain_words
from bot.slack.turns import acknowledge


def register(app: App, services: Services) -> None:
    """DMs (main line; threads belong to the assistant container) and @-mentions in channels."""

    def on_mention(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        channel = str(event.get("channel", ""))
        place = Place(user=str(event.get("user", "")), channel=channel, shared=is_shared(channel),
                      thread=str(event.get("thread_ts") or event.get("ts") or ""))
        _answer(services, client, place, plain_words(str(event.get("text", "")), bot_user=context.bot_user_id))

    def on_message(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype") not in (None, "file_share"):
            return  # edits, deletions, bots (Badger itself included), and channel chatter are not for us
        if badges.handle_dm(event, client, services):
            return  # a badge (file, link or JSON) to verify and import
        place = Place(user=str(event.get("user", "")), channel=str(event.get("channel", "")),
                      thread=str(event.get("thread_ts") or ""))
        _answer(services, client, place, plain_words(str(event.get("text", "")), bot_user=context.bot_user_id))

    app.event("app_mention")(ack=acknowledge, lazy=[on_mention])
    app.event("message")(ack=acknowledge, lazy=[on_message])


def _answer(services: Services, client: WebClient, place: Place, text: str) -> None:
    if not place.user:
        return
    services.ask(client, Task(place, "handle", text=text))
