"""Options for the nominate form's credential picker: a catalogue search as the user types."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.slack import modals
from bot.slack.blocks import plain, trim
from bot.slack.services import Services

MAX_OPTIONS = 100
MAX_LABEL = 75
MAX_VALUE = 150
K = 10


def register(app: App, services: Services) -> None:
    """The external select's suggestions (Slack waits 3 s: a plain search, no LLM)."""

    @app.options(modals.CREDENTIAL_ACTION)
    def credential_options(ack: Ack, payload: dict[str, Any]) -> None:
        ack(options=credential_choices(services, str(payload.get("value") or "")))


def credential_choices(services: Services, query: str) -> list[dict[str, Any]]:
    """Up to 100 options "Title — Provider" (75 characters at most), valued by credential id."""
    query = query.strip()
    if len(query) < modals.MIN_QUERY:
        return []
    result = services.kb.search(query, k=K, parse=False)
    return [{"text": plain(trim(f"{hit.title} — {hit.provider}", MAX_LABEL), MAX_LABEL), "value": hit.id}
            for hit in result.hits[:MAX_OPTIONS] if len(hit.id) <= MAX_VALUE]
