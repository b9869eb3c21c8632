"""How the outbox treats a failed Slack call: wait (rate limit), back off (outage, unexplained error) or give up."""

from __future__ import annotations

from dataclasses import dataclass
from http.client import HTTPException

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

PERMANENT = frozenset({  # the notice can never be delivered as it is
    "channel_not_found", "user_not_found", "users_not_found", "not_in_channel", "is_archived", "channel_is_archived",
    "invalid_blocks", "invalid_blocks_format", "account_inactive", "user_disabled", "cannot_dm_bot", "no_text",
    "messages_tab_disabled", "msg_too_long", "invalid_metadata_format", "invalid_metadata_schema",
    "metadata_too_large", "invalid_arguments", "restricted_action"})
HISTORY_BLIND = frozenset({"missing_scope", "not_in_channel"})  # cannot look back: post (may duplicate)
NETWORK_ERRORS = (OSError, HTTPException)  # URLError, timeouts, resets


@dataclass(frozen=True)
class Outcome:
    """A failed Slack call, classified: "ratelimited", "outage", "transient" or "permanent"."""

    kind: str
    error: str
    retry_after: float = 0.0


def classify(exc: Exception) -> Outcome:
    """How to treat an exception from a Slack call."""
    if not isinstance(exc, SlackApiError):
        return Outcome("outage", type(exc).__name__)
    status = int(getattr(exc.response, "status_code", 200) or 200)
    error = str(exc.response.get("error") or f"http_{status}")
    if status >= 500:
        return Outcome("outage", error)
    if status == 429 or error == "ratelimited":
        headers = {str(k).lower(): v for k, v in (getattr(exc.response, "headers", None) or {}).items()}
        value = str(headers.get("retry-after", "")).strip("[]'\" ")
        return Outcome("ratelimited", error, max(1.0, float(value)) if value.isdigit() else 0.0)
    return Outcome("permanent" if error in PERMANENT else "transient", error)


def private_client(client: WebClient) -> WebClient:
    """A client like `client` without retry handlers: the deliverer owns retries (and checks before re-posting)."""
    if not client.retry_handlers:
        return client
    return WebClient(token=client.token, base_url=client.base_url, timeout=client.timeout, ssl=client.ssl,
                     proxy=client.proxy, headers=dict(client.headers), retry_handlers=[])
