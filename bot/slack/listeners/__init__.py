"""Every listener, registered in one place (Slack's bolt-python template layout)."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners import (
    actions,
    assistant_threads,
    badger_actions,
    badges,
    commands,
    home,
    messages,
    options,
    shortcuts,
    views,
)
from bot.slack.services import Services


def register_listeners(app: App, services: Services) -> None:
    """Register the listeners of every surface; the order matters where matchers overlap."""
    # badger_actions (the decline form) must come before actions (every other assistant button).
    # Bolt tries listeners in order until one matches: the commands (the busiest path) go first.
    for module in (commands, assistant_threads, messages, badger_actions, home, views, shortcuts, options, badges,
                   actions):
        module.register(app, services)
