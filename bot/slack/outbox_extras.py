"""What the deliverer does around a post: find a channel's id by name, and, after the post, best-effort extras.

A shoutout gets a 🎉 reaction; a digest gets its chart uploaded in its thread. Extras never re-post the notice:
a failure is logged at WARNING and the notice stays delivered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.slack.badge_notice import attach_badge
from bot.slack.outbox_errors import NETWORK_ERRORS, classify
from skills.models import Notice
from skills.notices import Kind

logger = logging.getLogger(__name__)

REACTION = "tada"
CHART_FILENAME = "team-digest.png"
Chart = Callable[[dict[str, Any]], bytes]


def channel_id(client: WebClient, name: str, cache: dict[str, str]) -> str | None:
    """The id of the channel called "#name" the bot can see (None if it can't find it); cached per process."""
    if name in cache:
        return cache[name] or None  # "": looked for once and not found; a post by name will tell its id
    wanted, cursor = name.removeprefix("#"), None
    try:
        while True:
            page = client.conversations_list(types="public_channel,private_channel", exclude_archived=True,
                                             limit=1000, cursor=cursor)
            for channel in page.get("channels") or []:
                if channel.get("name") == wanted:
                    cache[name] = str(channel["id"])
                    return cache[name]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                cache[name] = ""
                return None
    except (SlackApiError, *NETWORK_ERRORS) as exc:
        logger.warning("cannot look up channel %s (%s); posting by name", name, classify(exc).error)
        return None


def after_post(client: WebClient, notice: Notice, channel: str, ts: str, chart: Chart | None = None) -> None:
    """The extras for a posted notice: a reaction on a shoutout, the chart under a digest."""
    if notice.kind == Kind.SHOUTOUT:
        react(client, notice, channel, ts)
    elif notice.kind == Kind.DIGEST:
        attach_chart(client, notice, channel, ts, chart or _digest_chart())
    elif notice.kind == Kind.BADGE_ISSUED:
        attach_badge(client, notice, channel, ts)


def react(client: WebClient, notice: Notice, channel: str, ts: str) -> None:
    """Add the celebratory reaction (already there is fine)."""
    try:
        client.reactions_add(channel=channel, name=REACTION, timestamp=ts)
    except (SlackApiError, *NETWORK_ERRORS) as exc:
        error = classify(exc).error
        if error != "already_reacted":
            logger.warning("notice %s: could not add the :%s: reaction: %s", notice.id, REACTION, error)


def _digest_chart() -> Chart | None:
    try:
        from jobs.chart import digest_png
    except ImportError:
        return None
    chart: Chart = digest_png
    return chart


def attach_chart(client: WebClient, notice: Notice, channel: str, ts: str, chart: Chart | None) -> None:
    """Draw the digest's chart and upload it in the digest's thread."""
    if chart is None:
        logger.warning("notice %s: no chart renderer (jobs.chart) is installed; digest sent without a chart",
                       notice.id)
        return
    payload = notice.payload or {}
    try:
        png = chart(payload)
    except Exception:  # a broken chart must not hold up the digest itself
        logger.warning("notice %s: drawing the digest chart failed", notice.id, exc_info=True)
        return
    week = str(payload.get("week") or "")
    try:
        client.files_upload_v2(channel=channel, thread_ts=ts, content=png, filename=CHART_FILENAME,
                               title=f"Team progress {week}".strip(), alt_txt="Bar chart of the team's learning")
    except (SlackApiError, SlackRequestError, *NETWORK_ERRORS) as exc:
        error = classify(exc).error if isinstance(exc, SlackApiError) else type(exc).__name__
        logger.warning("notice %s: uploading the digest chart failed: %s", notice.id, error)
