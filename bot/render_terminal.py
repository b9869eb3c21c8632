"""Render a renderer-neutral message in the terminal: sections, fields, context lines, numbered buttons."""

from __future__ import annotations

import re

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding

from skills.assistant.messages import MENTION, Button, Buttons, Context, Image, Message, Section

_BOLD = re.compile(r"\*([^*\n]+)\*")
_STYLES = {"primary": "bold green", "danger": "bold red", None: "cyan"}


def mrkdwn(text: str) -> str:
    """Slack mrkdwn (*bold*) as rich markup, mentions as @name or #channel, everything else escaped."""
    text = MENTION.sub(lambda m: m.group(1)[0] + (m.group(3) or m.group(2)), text)
    return _BOLD.sub(r"[bold]\1[/bold]", escape(text))


def render(message: Message, console: Console) -> list[Button]:
    """Print the message; returns its buttons in the order they are numbered (1..n)."""
    buttons: list[Button] = []
    for block in message.blocks:
        if isinstance(block, Section):
            console.print(mrkdwn(block.text))
            if block.fields:
                facts = "  ".join(mrkdwn(field.replace("\n", ": ", 1)) for field in block.fields)
                console.print(Padding(facts, (0, 0, 0, 3)), style="dim")
        elif isinstance(block, Context):
            console.print(f"[dim]{mrkdwn(block.text)}[/dim]")
        elif isinstance(block, Buttons):
            labels = []
            for button in block.buttons:
                buttons.append(button)
                labels.append(f"[{_STYLES.get(button.style, 'cyan')}]\\[{len(buttons)}][/] {escape(button.label)}")
            console.print(Padding("  ".join(labels), (0, 0, 0, 3)))
        elif isinstance(block, Image):
            console.print(f"[dim]\\[image: {escape(block.alt)}][/dim]")
    return buttons
