"""Renderer-neutral messages: sections with fields, context lines and buttons; Slack and the terminal render them."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Style = Literal["primary", "danger"] | None


@dataclass(frozen=True)
class Action:
    """What a button does: a kind and plain arguments (untrusted when it comes back: skills re-check)."""

    kind: str
    args: dict[str, Any] = field(default_factory=dict)

    def value(self) -> str:
        """The action as a compact JSON string (a Slack button value)."""
        return json.dumps({"kind": self.kind, "args": self.args}, separators=(",", ":"), sort_keys=True)

    @classmethod
    def parse(cls, value: str) -> Action:
        """The action from a button value; ValueError when it is not one."""
        data = json.loads(value)
        if not (isinstance(data, dict) and isinstance(data.get("kind"), str) and isinstance(data.get("args"), dict)):
            raise ValueError("not an action")
        return cls(data["kind"], data["args"])


@dataclass(frozen=True)
class Button:
    """One button."""

    label: str
    action: Action
    style: Style = None


@dataclass(frozen=True)
class Section:
    """A block of text (Slack mrkdwn), optionally with short label/value fields."""

    text: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    """A small grey line: sources, constraints, hints."""

    text: str


@dataclass(frozen=True)
class Buttons:
    """A row of buttons."""

    buttons: tuple[Button, ...]


@dataclass(frozen=True)
class Image:
    """A picture (an https URL) with its alternative text; the terminal shows the text."""

    url: str
    alt: str


Block = Section | Context | Buttons | Image
# A person or channel mention inside section or context text, kept as is by Slack rendering ("<@U123|Dana>").
MENTION = re.compile(r"<(@(?=[UW])|#(?=[CG]))([A-Z0-9]{3,41})(?:\|([^<>&|]{0,80}))?>")


def mention(user_id: str, name: str = "") -> str:
    """A user mention token: Slack shows the person, the terminal shows "@name"."""
    label = re.sub(r"[<>&|]", "", name)[:80]
    return f"<@{user_id}|{label}>" if label else f"<@{user_id}>"


def channel_mention(channel: str) -> str:
    """A channel as text: an id becomes a mention token ("<#C123>"), a "#name" stays as it is."""
    return f"<#{channel}>" if MENTION.fullmatch(f"<#{channel}>") else channel


@dataclass
class Message:
    """One reply: plain text (notifications, --json, logs of shape only) and the blocks to show."""

    text: str
    blocks: list[Block] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    intent: str = "unknown"
    mode: Literal["offline", "llm"] = "offline"
    fallback: str | None = None

    def buttons(self) -> list[Button]:
        """Every button in display order (the terminal numbers them 1..n)."""
        return [button for block in self.blocks if isinstance(block, Buttons) for button in block.buttons]

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output, each block tagged with its type."""
        blocks = [{"type": type(block).__name__.lower(), **asdict(block)} for block in self.blocks]
        return {"text": self.text, "citations": self.citations, "intent": self.intent, "mode": self.mode,
                "fallback": self.fallback, "blocks": blocks,
                "actions": [{"label": b.label, "kind": b.action.kind, "args": b.action.args} for b in self.buttons()]}


def say(text: str, *, intent: str = "unknown", buttons: list[Button] | None = None) -> Message:
    """A message of one section and, optionally, a row of buttons."""
    blocks: list[Block] = [Section(text)]
    if buttons:
        blocks.append(Buttons(tuple(buttons)))
    return Message(text=text, blocks=blocks, intent=intent)
