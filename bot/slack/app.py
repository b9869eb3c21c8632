"""Build the Bolt app: one settings object in, every listener registered, events de-duplicated, errors handled."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot.slack.listeners import register_listeners
from bot.slack.replies import Place, apologise, is_shared
from bot.slack.services import Services
from core.errors import ConfigurationError
from jobs.slack_client import web_client as web_client  # re-exported: the app, tests and benches build it here
from skills.inbox import claim_event

logger = logging.getLogger(__name__)


def build_app(services: Services, *, client: WebClient | None = None, socket_mode: bool = False) -> App:
    """The Slack app; HTTP mode checks every request's signature with SLACK_SIGNING_SECRET."""
    settings = services.settings
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    if not socket_mode and secret is None:
        raise ConfigurationError("SLACK_SIGNING_SECRET is not set: HTTP mode needs it to check that requests "
                                 "come from Slack (or set SLACK_APP_TOKEN for Socket Mode).")
    # Acks run in the request's own thread and every slow part in a lazy listener on a small pool of its own:
    # with Bolt's default (acks queued on the pool that also runs the answers) a burst of questions pushed acks
    # towards Slack's 3 s limit (bench/bench_slack.py).
    app = App(client=client or web_client(settings), signing_secret=secret or "", name="badger",
              process_before_response=True, request_verification_enabled=not socket_mode,
              listener_executor=services.workers,
              logger=_bolt_logger())
    app.middleware(_deduplicator(services))
    app.error(_on_error)
    register_listeners(app, services)
    return app


class _KnownNotices(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that our client's token wins: expected, so not logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _bolt_logger() -> logging.Logger:
    bolt = logging.getLogger("bot.slack.bolt")
    if not any(isinstance(f, _KnownNotices) for f in bolt.filters):
        bolt.addFilter(_KnownNotices())
    return bolt


def _deduplicator(services: Services) -> Any:
    def deduplicate(body: dict[str, Any], next: Any) -> BoltResponse | None:
        event_id = body.get("event_id")
        if (body.get("type") == "event_callback" and isinstance(event_id, str)
                and not claim_event(services.engine, event_id=event_id)):
            logger.info("slack.duplicate_event event_id=%s", event_id)
            return BoltResponse(status=200, body="")
        return next()  # type: ignore[no-any-return]

    return deduplicate


def place_of(body: dict[str, Any]) -> Place | None:
    """Where a request came from (the user and channel), for telling them about a failure."""
    event = body.get("event") or {}
    user = body.get("user_id") or (body.get("user") or {}).get("id") or event.get("user")
    if not isinstance(user, str):
        return None
    channel = body.get("channel_id") or (body.get("channel") or {}).get("id") or event.get("channel") or ""
    return Place(user=user, channel=channel, shared=is_shared(channel), response_url=body.get("response_url"),
                 thread=event.get("thread_ts") or "")


def _on_error(error: Exception, body: dict[str, Any], client: WebClient) -> None:
    place = place_of(body)
    if place is None:
        logger.error("slack.error kind=%s", type(error).__name__, exc_info=error)
        return
    apologise(client, place, error)
