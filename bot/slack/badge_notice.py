"""The DM that carries a badge Badger issued: the message, then the baked PNG and the JSON in its thread."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.slack.notice_parts import Payload, card, get
from bot.slack.outbox_errors import NETWORK_ERRORS, classify
from skills.assistant.messages import Message
from skills.issuing.baking import baked_badge
from skills.models import Notice

logger = logging.getLogger(__name__)


def badge_issued(p: Payload) -> Message:
    """The earner hears their Open Badge is ready, with its public page and an Add-to-LinkedIn link."""
    title, organisation = get(p, "credential_title", "your badge"), get(p, "organisation", "your organisation")
    text = (f"Your Open Badge for *{title}* is ready, issued by {organisation}. It's yours to keep: the image "
            "below has the credential baked in, and anyone can check it.\n"
            f"Public page: {get(p, 'credential_url')}\nAdd it to LinkedIn: {get(p, 'linkedin_url')}")
    return card(text, intent="badge_issued",
                context="Open Badges 3.0: upload the PNG or the JSON to a wallet or a badge backpack.")


def attach_badge(client: WebClient, notice: Notice, channel: str, ts: str) -> None:
    """Upload the baked PNG and the credential JSON in the DM's thread; a failure is logged, never re-posted."""
    p = notice.payload or {}
    credential, uid = get(p, "credential"), get(p, "issued_id", "badge")
    if not credential:
        return
    is_jwt = not credential.lstrip().startswith("{")
    try:
        png = baked_badge(get(p, "credential_title"), get(p, "organisation"), credential)
        client.files_upload_v2(
            channel=channel, thread_ts=ts, title=get(p, "credential_title", "Open Badge"),
            file_uploads=[{"content": png, "filename": f"{uid}.png", "title": "Badge (credential baked in)"},
                          {"content": credential.encode(), "filename": f"{uid}.{'jwt' if is_jwt else 'json'}",
                           "title": "Credential (Open Badges 3.0)"}])
    except (SlackApiError, SlackRequestError, *NETWORK_ERRORS) as exc:
        error = classify(exc).error if isinstance(exc, SlackApiError) else type(exc).__name__
        logger.warning("notice %s: uploading the issued badge failed: %s", notice.id, error)
