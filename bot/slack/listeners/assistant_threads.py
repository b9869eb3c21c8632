"""Slack's assistant container: suggested prompts when a thread starts, a status while working, a thread title."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, Assistant, BoltRequest, BoltResponse, Say, SetStatus, SetSuggestedPrompts, SetTitle
from slack_sdk import WebClient

from bot.slack.replies import Place, guarded, send
from bot.slack.services import Services
from bot.slack.text import plain_words
from bot.slack.turns import acknowledge

logger = logging.getLogger(__name__)

GREETING = "Hi! I find partner micro-credentials and keep track of your learning. What would you like to learn?"
PROMPTS = [
    {"title": "Find a course", "message": "free python course for beginners"},
    {"title": "My learning", "message": "my status"},
    {"title": "My skill gaps", "message": "my gaps"},
    {"title": "My team", "message": "my team"},
]
TITLE_CHARS = 60


def register(app: App, services: Services) -> None:
    """The assistant container's listeners (DM threads go here; the DM main line goes to messages)."""
    assistant = Assistant()

    def started(say: Say, set_suggested_prompts: SetSuggestedPrompts) -> None:
        say(GREETING)
        set_suggested_prompts(prompts=PROMPTS)

    def user_message(payload: dict[str, Any], client: WebClient, set_status: SetStatus, set_title: SetTitle,
                     say: Say) -> None:
        place = Place(user=str(payload.get("user", "")), channel=str(payload.get("channel", "")),
                      thread=str(payload.get("thread_ts", "")))
        text = plain_words(str(payload.get("text", "")))
        if not place.user:
            return
        with guarded(client, place):
            set_title(text[:TITLE_CHARS] or "Badger")
            set_status("is looking that up…")
            send(client, place, services.assistant.handle(actor=place.actor, key=place.key, text=text))

    assistant.thread_started(lazy=[started])(acknowledge)
    assistant.user_message(lazy=[user_message])(acknowledge)

    def assistant_events(req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> Any:
        # Only events can belong to an assistant thread; commands and buttons skip its matchers entirely.
        if req.body.get("type") != "event_callback":
            return next()
        return assistant.process(req=req, resp=resp, next=next)

    app.middleware(assistant_events)

