"""Where a reply goes (thread, DM, ephemeral, response_url) and how slow work reports failure to the user."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.slack.blocks import fallback_text, pages
from skills.access import Actor
from skills.assistant.memory import ConversationKey
from skills.assistant.messages import Message

logger = logging.getLogger(__name__)

# Replies anyone in a shared channel may see; everything else (status, records, errors) goes ephemeral.
PUBLIC_INTENTS = {"find", "refine", "more_like", "details", "clarify", "help"}
THINKING = "_Looking that up…_"
SORRY = ("Sorry — something went wrong on my side and I couldn't finish that. Please try again in a minute; "
         "if it keeps happening, give your Badger admin this reference: `{ref}`.")


@dataclass(frozen=True)
class Place:
    """Where the user spoke to Badger: who, which channel and thread, and how to answer them."""

    user: str
    channel: str = ""  # "" for App Home and modals: the reply goes to the user's DM
    thread: str = ""  # the conversation's thread ("" for a DM's main line)
    shared: bool = False  # a channel others read: private replies go ephemeral
    response_url: str | None = None  # slash commands and buttons on ephemeral messages answer here

    @property
    def actor(self) -> Actor:
        """The acting user, as Slack authenticated them."""
        return Actor(self.user)

    @property
    def key(self) -> ConversationKey:
        """The conversation memory's key."""
        return ConversationKey(self.user, self.channel or "home", self.thread)


def is_shared(channel: str) -> bool:
    """True for channels other people read (public or private channels, group DMs); False for the user's DM."""
    return bool(channel) and not channel.startswith("D")


def send(client: WebClient, place: Place, message: Message, *, replace_ts: str | None = None) -> str | None:
    """Deliver a message where it belongs; returns the ts of its first public part (None when ephemeral)."""
    private = message.intent not in PUBLIC_INTENTS
    parts = pages(message)
    text = fallback_text(message)
    if place.response_url:
        webhook = WebhookClient(place.response_url)
        for blocks in parts:
            webhook.send(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
        return None
    if place.shared and private:
        if replace_ts:
            client.chat_delete(channel=place.channel, ts=replace_ts)
        for blocks in parts:
            client.chat_postEphemeral(channel=place.channel, user=place.user, text=text, blocks=blocks,
                                      thread_ts=place.thread or None)
        return None
    channel = place.channel or place.user
    first: str | None = None
    for n, blocks in enumerate(parts):
        if n == 0 and replace_ts:
            client.chat_update(channel=channel, ts=replace_ts, text=text, blocks=blocks)
            first = replace_ts
            continue
        response = client.chat_postMessage(channel=channel, text=text, blocks=blocks, thread_ts=place.thread or None)
        first = first or str(response["ts"])
    return first


def placeholder(client: WebClient, place: Place) -> str | None:
    """Post a "looking it up" line to update in place (only where the reply will not be ephemeral)."""
    if place.response_url or place.shared:
        return None
    response = client.chat_postMessage(channel=place.channel or place.user, text=THINKING,
                                       thread_ts=place.thread or None)
    return str(response["ts"])


def tell_private(client: WebClient, place: Place, text: str) -> None:
    """A short private line to the user (ephemeral in channels, a DM otherwise)."""
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    if place.response_url:
        WebhookClient(place.response_url).send(text=text, blocks=blocks, response_type="ephemeral",
                                               replace_original=False)
    elif place.shared:
        client.chat_postEphemeral(channel=place.channel, user=place.user, text=text, blocks=blocks,
                                  thread_ts=place.thread or None)
    else:
        client.chat_postMessage(channel=place.channel or place.user, text=text, blocks=blocks,
                                thread_ts=place.thread or None)


def apologise(client: WebClient, place: Place, exc: BaseException, *, replace_ts: str | None = None) -> None:
    """Log a failure with its traceback and tell the user something useful (never the raw exception)."""
    ref = uuid.uuid4().hex[:8]
    if isinstance(exc, SlackApiError):
        from core.metrics import slack_error

        slack_error(exc)
    logger.error("slack.failed ref=%s user=%s kind=%s", ref, place.user, type(exc).__name__, exc_info=exc)
    try:
        if replace_ts:  # the "looking it up" line becomes the apology
            text = SORRY.format(ref=ref)
            client.chat_update(channel=place.channel or place.user, ts=replace_ts, text=text,
                               blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": text}}])
        else:
            tell_private(client, place, SORRY.format(ref=ref))
    except Exception:  # Slack itself may be what failed
        logger.warning("slack.apology_failed ref=%s", ref, exc_info=True)


@contextmanager
def guarded(client: WebClient, place: Place) -> Iterator[None]:
    """Run slow work; any failure is logged and apologised for instead of vanishing in a worker thread."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 (a worker thread's failure must reach the user, not vanish)
        apologise(client, place, exc)
