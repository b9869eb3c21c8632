"""Slash commands: /learn, /progress, /nominate, /badges, /whohas; each answers privately, with usage help."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.slack import modals
from bot.slack.answers import Task
from bot.slack.replies import Place, is_shared
from bot.slack.services import Services
from bot.slack.text import plain_words
from skills.assistant.intents import Intent, Parsed

USAGE = {
    "/learn": "*/learn* _what you want to learn_ — e.g. `/learn free python course for beginners`",
    "/progress": ("*/progress* — your learning; `/progress the AWS one 60%` records progress; "
                  "`/progress the AWS one done` marks it complete"),
    "/nominate": ("*/nominate* — opens a form; or `/nominate @someone the Kubernetes one because ...` "
                  "(managers, for their reports)"),
    "/badges": "*/badges* — your badges; `/badges @someone` — a report's badges (managers and admins)",
    "/whohas": "*/whohas* _skill_ — who has earned a badge teaching it, e.g. `/whohas kubernetes`",
}
_PERCENT = re.compile(r"^(?P<ref>.+?)\s+(?P<pct>\d{1,3})\s*%?$")
_DONE = re.compile(r"^(?P<ref>.+?)\s+(?:done|complete|completed|finished)$", re.I)
_NOMINATE = re.compile(r"^(?P<who>[UW][A-Z0-9]+)\s+(?:for\s+)?(?P<ref>.+?)\s+because\s+(?P<why>.+)$", re.I)
_USER_ONLY = re.compile(r"^[UW][A-Z0-9]+$")
ACKS = {"/learn": "_Looking that up…_"}


def parse(command: str, text: str) -> Parsed | None:
    """The intent a command's arguments ask for; None when they don't fit (the caller shows usage)."""
    if text.lower() in {"help", "?"}:
        return None
    if command == "/learn":
        return Parsed(Intent.FIND, query=text) if text else None
    if command == "/progress":
        if not text:
            return Parsed(Intent.STATUS)
        if m := _DONE.match(text):
            return Parsed(Intent.COMPLETE, ref=m["ref"])
        m = _PERCENT.match(text)
        return Parsed(Intent.PROGRESS, ref=m["ref"], percent=int(m["pct"])) if m and int(m["pct"]) <= 100 else None
    if command == "/nominate":
        m = _NOMINATE.match(text)
        return Parsed(Intent.NOMINATE, person=m["who"], ref=m["ref"], reason=m["why"]) if m else None
    if command == "/badges":
        return Parsed(Intent.BADGES, person=text) if not text or _USER_ONLY.match(text) else None
    if command == "/whohas":
        return Parsed(Intent.TALENT, query=text) if text else None
    return None


def register(app: App, services: Services) -> None:
    """One listener per command: ack at once (usage help inline); the answer is worked out after the ack."""
    for command in USAGE:
        app.command(command)(_listener(services, command))


def _place(body: dict[str, Any]) -> Place:
    channel = str(body.get("channel_id", ""))
    return Place(user=str(body.get("user_id", "")), channel=channel, shared=is_shared(channel), thread="slash",
                 response_url=body.get("response_url"))


def _listener(services: Services, command: str) -> Callable[..., None]:
    def on_command(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        text = plain_words(str(body.get("text", "")), bot_user=context.bot_user_id)
        if command == "/nominate" and not text:
            ack()
            client.views_open(trigger_id=body["trigger_id"], view=modals.nominate_modal())
            return
        parsed = parse(command, text)
        if parsed is None:
            ack(text=USAGE[command], response_type="ephemeral")
            return
        ack(text=ACKS.get(command, "_Working on it…_"), response_type="ephemeral")
        # One INSERT keyed by the command's trigger_id: the question survives this process (core.queue).
        key = f"command:{body.get('trigger_id') or uuid.uuid4().hex}"
        services.ask_after_ack(client, Task(_place(body), "run", text=f"{command} {text}", parsed=parsed), key=key)

    return on_command
