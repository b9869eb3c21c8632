"""Every listener, registered in one place (Slack's bolt-python template layout)."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners import actions, assistant_threads, commands, messages
from bot.slack.services import Services


def register_listeners(app: App, services: Services) -> None:
    """Register the listeners of every surface; the order matters where matchers overlap."""
    for module in (assistant_threads, messages, commands, actions):
        module.register(app, services)
