"""slack/manifest.yml matches the app: every command, event and shortcut it handles, and no more scopes than used."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.slack.listeners.commands import USAGE

ROOT = Path(__file__).resolve().parents[3]
MANIFEST = ROOT / "slack" / "manifest.yml"
# Web API methods (as slack_sdk names them) -> the bot scopes each needs. A call not listed here fails the
# scope test until it is classified, so a new call cannot ship without its scope (or with a stale one).
METHOD_SCOPES: dict[str, set[str]] = {
    "chat_postMessage": {"chat:write"}, "chat_postEphemeral": {"chat:write"}, "chat_update": {"chat:write"},
    "chat_delete": {"chat:write"},
    "conversations_open": {"im:write"},
    "conversations_history": {"channels:history", "groups:history", "im:history"},  # any kind of conversation
    "conversations_list": {"channels:read", "groups:read"},
    "reactions_add": {"reactions:write"},
    "users_info": {"users:read"},
    "files_upload_v2": {"files:write"},
    "views_open": set(), "views_publish": set(),
}
# What the listeners use besides Web API calls (a pattern in the source -> the scopes it needs).
FEATURE_SCOPES: dict[str, set[str]] = {
    r"\bapp\.command\(": {"commands"},
    r"\bapp\.(shortcut|view)\(": {"commands"},
    r'\bapp\.event\("app_mention"\)': {"app_mentions:read"},
    r'\bapp\.event\("message"\)': {"im:history"},  # DMs to the bot
    r"\bAssistant\(\)": {"assistant:write"},
    r"\burl_private": {"files:read"},  # badge files sent by DM are downloaded
}


def _sources() -> dict[Path, str]:
    """The code that talks to Slack: the Slack app and the scheduled jobs."""
    return {path: path.read_text(encoding="utf-8")
            for folder in (ROOT / "bot" / "slack", ROOT / "jobs") for path in sorted(folder.rglob("*.py"))}


def _used_scopes() -> set[str]:
    texts = _sources().values()
    calls = {m for text in texts for m in re.findall(r"\bclient\.([a-z]+_[A-Za-z0-9_]+)\(", text)}
    assert calls, "no Web API calls found: the scan is broken"
    unclassified = calls - METHOD_SCOPES.keys()
    assert not unclassified, f"classify these Web API calls in METHOD_SCOPES: {unclassified}"
    scopes = set().union(*(METHOD_SCOPES[m] for m in calls))
    for pattern, needed in FEATURE_SCOPES.items():
        if any(re.search(pattern, text) for text in texts):
            scopes |= needed
    return scopes


def _handled_events() -> set[str]:
    """The event subscriptions the listeners need: their app.event names (DMs as message.im), the assistant's."""
    texts = _sources().values()
    events = {m for text in texts for m in re.findall(r'\bapp\.event\("([a-z_]+)"\)', text)}
    events = {"message.im" if e == "message" else e for e in events}
    if any(re.search(r"\bAssistant\(\)", text) for text in texts):
        events |= {"assistant_thread_started", "assistant_thread_context_changed"}
    return events


def _manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_manifest_lists_exactly_the_commands_the_app_answers() -> None:
    commands = {c["command"] for c in _manifest()["features"]["slash_commands"]}
    assert commands == set(USAGE)


def test_manifest_subscribes_to_the_events_the_app_handles() -> None:
    events = set(_manifest()["settings"]["event_subscriptions"]["bot_events"])
    assert "app_home_opened" in events and events == _handled_events()


def test_manifest_asks_for_exactly_the_scopes_the_code_uses() -> None:
    assert set(_manifest()["oauth_config"]["scopes"]["bot"]) == _used_scopes()


def test_shortcuts_use_the_callback_the_app_listens_for() -> None:
    shortcuts = _manifest()["features"]["shortcuts"]
    assert {s["type"] for s in shortcuts} == {"message", "global"}
    assert {s["callback_id"] for s in shortcuts} == {"nominate_for_credential"}
