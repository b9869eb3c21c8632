"""Slack's message text in plain words: mentions of the bot dropped, user mentions as ids, entities decoded."""

from __future__ import annotations

import re

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#[CG][A-Z0-9]+\|([^>]*)>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|[^>]*)?>")


def plain_words(text: str, *, bot_user: str | None = None) -> str:
    """The text without the bot's own mention, with other mentions as user ids and links as URLs."""
    if bot_user:
        text = text.replace(f"<@{bot_user}>", " ")
    text = _USER.sub(r"\1", text)
    text = _CHANNEL.sub(r"#\1", text)
    text = _LINK.sub(r"\1", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def mentioned_user(text: str) -> str | None:
    """The first user mentioned (<@U…>), if any."""
    match = _USER.search(text)
    return match.group(1) if match else None
