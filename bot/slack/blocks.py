"""Render a renderer-neutral message as Block Kit, within Slack's limits (50 blocks, 3,000 characters a section)."""

from __future__ import annotations

from typing import Any

from skills.assistant.messages import MENTION, Action, Button, Buttons, Context, Image, Message, Section

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_FIELD = 2000
MAX_FIELDS = 10
MAX_BUTTONS = 25
MAX_LABEL = 75
MAX_VALUE = 2000
MAX_TEXT = 3000  # the notification text beside the blocks
ACTION_PREFIX = "badger:"  # action_id of every assistant button: "badger:<kind>:<n>"
FEEDBACK_ACTION = "badger_feedback"
ANSWER_INTENTS = {"find", "refine", "more_like", "details", "clarify", "talent", "agent"}  # agent: LLM mode

Blocks = list[dict[str, Any]]


def escape(text: str) -> str:
    """Escape the three characters Slack treats as markup (&, <, >), keeping user and channel mention tokens."""
    kept, last = [], 0
    for match in MENTION.finditer(text):
        kept.append(_escape(text[last:match.start()]) + match.group(0))
        last = match.end()
    return "".join(kept) + _escape(text[last:])


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str) -> dict[str, str]:
    """A mrkdwn text object."""
    return {"type": "mrkdwn", "text": text}


def plain(text: str, limit: int = MAX_LABEL) -> dict[str, Any]:
    """A plain_text object, trimmed to `limit` characters."""
    return {"type": "plain_text", "text": trim(text, limit), "emoji": True}


def trim(text: str, limit: int) -> str:
    """The text cut to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_text(text: str, limit: int = MAX_SECTION) -> list[str]:
    """Pieces of at most `limit` characters, cut at line ends (then spaces) where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text or not pieces:
        pieces.append(text)
    return pieces


def button(label: str, action: Action, *, action_id: str, style: str | None = None) -> dict[str, Any]:
    """One Block Kit button carrying an action as its value."""
    element: dict[str, Any] = {"type": "button", "text": plain(label), "action_id": action_id,
                               "value": action.value()[:MAX_VALUE]}
    if style:
        element["style"] = style
    return element


def _section(block: Section) -> Blocks:
    texts = split_text(escape(block.text))
    out: Blocks = [{"type": "section", "text": mrkdwn(piece)} for piece in texts]
    if block.fields:
        out[-1]["fields"] = [mrkdwn(trim(escape(f), MAX_FIELD)) for f in block.fields[:MAX_FIELDS]]
    return out


def _buttons(block: Buttons, first: int) -> dict[str, Any]:
    elements = [_button(b, first + i) for i, b in enumerate(block.buttons[:MAX_BUTTONS])]
    return {"type": "actions", "elements": elements}


def _button(b: Button, n: int) -> dict[str, Any]:
    return button(b.label, b.action, action_id=f"{ACTION_PREFIX}{b.action.kind}:{n}", style=b.style)


def feedback_block() -> dict[str, Any]:
    """Helpful / not helpful buttons under an answer."""
    return {"type": "actions", "block_id": "badger_feedback", "elements": [
        {"type": "button", "text": plain("👍 Helpful"), "action_id": f"{FEEDBACK_ACTION}:yes", "value": "helpful"},
        {"type": "button", "text": plain("👎 Not helpful"), "action_id": f"{FEEDBACK_ACTION}:no",
         "value": "not_helpful"},
    ]}


def to_blocks(message: Message, *, feedback: bool = True) -> Blocks:
    """Every block of the message (may exceed 50: `pages` splits them); answers get feedback buttons."""
    out: Blocks = []
    n = 0
    for block in message.blocks:
        if isinstance(block, Section):
            out.extend(_section(block))
        elif isinstance(block, Context):
            out.append({"type": "context", "elements": [mrkdwn(trim(escape(block.text), MAX_SECTION))]})
        elif isinstance(block, Buttons) and block.buttons:
            out.append(_buttons(block, n))
            n += len(block.buttons)
        elif isinstance(block, Image):
            out.append({"type": "image", "image_url": block.url, "alt_text": trim(block.alt or "image", 2000)})
    if feedback and message.intent in ANSWER_INTENTS and message.citations:
        out.append(feedback_block())
    return out


def pages(message: Message, *, feedback: bool = True) -> list[Blocks]:
    """The message's blocks in messages of at most 50 blocks each (long answers become several messages)."""
    blocks = to_blocks(message, feedback=feedback)
    if len(blocks) <= MAX_BLOCKS:
        return [blocks]
    return [blocks[i:i + MAX_BLOCKS] for i in range(0, len(blocks), MAX_BLOCKS)]


def fallback_text(message: Message) -> str:
    """The notification text for the message (what shows in notifications and screen readers)."""
    return trim(message.text or "Badger", MAX_TEXT)
