"""The assistant's Decline button (approval DMs, the team view, App Home) opens the decline-with-reason form.

Register this module before `actions`: its generic `badger:` listener must not see `badger:decline:`.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlmodel import Session

from bot.slack import modals
from bot.slack.blocks import ACTION_PREFIX, escape
from bot.slack.listeners.home import acting_user, enrolment_id, told
from bot.slack.replies import Place, tell_private
from bot.slack.services import Services
from skills.access import get_employee, possessive
from skills.lifecycle import DESCRIPTIONS
from skills.models import State
from skills.status import enrolment_view

DECLINE_ACTION = re.compile(rf"^{ACTION_PREFIX}decline:\d+$")


def register(app: App, services: Services) -> None:
    """`badger:decline:<n>`: ack, then open the form (the trigger expires in 3 seconds)."""

    @app.action(DECLINE_ACTION)
    def open_decline(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        place = Place(user=acting_user(body))
        with told(client, place), Session(services.engine) as session:
            view = enrolment_view(session=session, actor=place.actor, enrolment_id=enrolment_id(action))
            if view.state != State.REQUESTED:
                tell_private(client, place, f"That request for *{escape(view.title)}* is "
                                            f"{DESCRIPTIONS.get(view.state, view.state)} now; nothing to decline.")
                return
            name = get_employee(session, view.employee_id).name
            client.views_open(trigger_id=body["trigger_id"], view=modals.decline_modal(
                enrolment_id=view.enrolment_id, title=view.title, employee=possessive(name), origin=origin(body)))


def origin(body: dict[str, Any]) -> dict[str, str] | None:
    """The DM message the button was on (an approval request), so its buttons can go once it's decided."""
    container = body.get("container") or {}
    channel, ts = str(container.get("channel_id") or ""), str(container.get("message_ts") or "")
    if container.get("type") != "message" or container.get("is_ephemeral") or not channel.startswith("D") or not ts:
        return None
    return {"channel": channel, "ts": ts}
