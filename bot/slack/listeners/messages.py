"""Direct messages and mentions: the words go to the assistant; the answer comes back in place."""

from __future__ import annotations

import uuid
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack.answers import Task
from bot.slack.listeners import badges
from bot.slack.replies import Place, is_shared
from bot.slack.services import Services
from bot.slack.text import plain_words


def register(app: App, services: Services) -> None:
    """DMs (main line; threads belong to the assistant container) and @-mentions in channels.

    The listener runs before the response: it queues the question (one INSERT keyed by the event id) and Slack
    gets its 200 after that, so an acknowledged question survives this process.
    """

    def on_mention(body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        channel = str(event.get("channel", ""))
        place = Place(user=str(event.get("user", "")), channel=channel, shared=is_shared(channel),
                      thread=str(event.get("thread_ts") or event.get("ts") or ""))
        _queue(services, client, body, place, plain_words(str(event.get("text", "")), bot_user=context.bot_user_id))

    def on_message(body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype") not in (None, "file_share"):
            return  # edits, deletions, bots (Badger itself included), and channel chatter are not for us
        if badges.badge_source(event) is not None:  # a badge (file, link or JSON) to verify and import
            services.defer(_import_badge, event, client, services)
            return
        place = Place(user=str(event.get("user", "")), channel=str(event.get("channel", "")),
                      thread=str(event.get("thread_ts") or ""))
        _queue(services, client, body, place, plain_words(str(event.get("text", "")), bot_user=context.bot_user_id))

    app.event("app_mention")(on_mention)
    app.event("message")(on_message)


def _queue(services: Services, client: WebClient, body: dict[str, Any], place: Place, text: str) -> None:
    if not place.user:
        return
    key = f"event:{body.get('event_id') or uuid.uuid4().hex}"
    services.ask_after_ack(client, Task(place, "handle", text=text), key=key)


def _import_badge(event: dict[str, Any], client: WebClient, services: Services) -> None:
    badges.handle_dm(event, client, services)
