"""slack/manifest.yml matches the app: every command, event and shortcut it handles, and no more scopes than used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.slack.listeners.commands import USAGE

MANIFEST = Path(__file__).resolve().parents[3] / "slack" / "manifest.yml"
SCOPES = {"app_mentions:read", "assistant:write", "channels:history", "channels:read", "chat:write", "commands",
          "files:read", "files:write", "groups:history", "groups:read", "im:history", "im:write", "reactions:write",
          "users:read"}


def _manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_manifest_lists_exactly_the_commands_the_app_answers() -> None:
    commands = {c["command"] for c in _manifest()["features"]["slash_commands"]}
    assert commands == set(USAGE)


def test_manifest_subscribes_to_the_events_the_app_handles() -> None:
    events = set(_manifest()["settings"]["event_subscriptions"]["bot_events"])
    assert events == {"app_home_opened", "app_mention", "assistant_thread_started",
                      "assistant_thread_context_changed", "message.im"}


def test_manifest_asks_for_the_smallest_set_of_scopes() -> None:
    assert set(_manifest()["oauth_config"]["scopes"]["bot"]) == SCOPES


def test_shortcuts_use_the_callback_the_app_listens_for() -> None:
    shortcuts = _manifest()["features"]["shortcuts"]
    assert {s["type"] for s in shortcuts} == {"message", "global"}
    assert {s["callback_id"] for s in shortcuts} == {"nominate_for_credential"}
