"""The one Slack Web API client factory, free of Bolt: the Slack app, the deliverer, the answer workers and the jobs.

It lives in jobs/ because jobs may not import bot/ (layers point down) and core/ never imports slack_sdk.
"""

from __future__ import annotations

from slack_sdk import WebClient

from core.errors import ConfigurationError
from core.settings import Settings

TIMEOUT = 10  # seconds per Web API call


def web_client(settings: Settings) -> WebClient:
    """A Web API client with the bot token, pointed at SLACK_API_URL (ConfigurationError without a token)."""
    client = web_client_or_none(settings)
    if client is None:
        raise ConfigurationError("SLACK_BOT_TOKEN is not set: add the app's xoxb- token to .env "
                                 "(see \"Connect to Slack\" in the README).")
    return client


def web_client_or_none(settings: Settings) -> WebClient | None:
    """The same client, or None when SLACK_BOT_TOKEN is not set (a job with nothing to do)."""
    if settings.slack_bot_token is None:
        return None
    return WebClient(token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url,
                     timeout=TIMEOUT)
