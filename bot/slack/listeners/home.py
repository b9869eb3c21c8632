"""App Home: publish the view when it's opened and after changes; its buttons open the forms."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlmodel import Session

from bot.slack import home, modals
from bot.slack.blocks import escape, mrkdwn
from bot.slack.replies import Place, apologise, tell_private
from bot.slack.services import Services
from bot.slack.turns import acknowledge, parse_action
from core.errors import BadgerError
from skills.lifecycle import DESCRIPTIONS
from skills.status import enrolment_view

logger = logging.getLogger(__name__)
SORRY = "Sorry — I couldn't load your learning just now. Close and reopen this tab to try again (ref `{ref}`)."


def register(app: App, services: Services) -> None:
    """app_home_opened, and the Home buttons: update progress, add a badge, nominate someone."""

    def on_home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") == "home" and event.get("user"):
            publish_home(client, services, str(event["user"]))

    app.event("app_home_opened")(ack=acknowledge, lazy=[on_home_opened])

    @app.action(re.compile(rf"^{home.PROGRESS}:\d+$"))
    def open_progress(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        place = Place(user=acting_user(body))
        with told(client, place), Session(services.engine) as session:
            view = enrolment_view(session=session, actor=place.actor, enrolment_id=enrolment_id(action))
            if view.state not in home.WORKING:
                tell_private(client, place, f"*{escape(view.title)}* is {DESCRIPTIONS.get(view.state, view.state)} "
                                            "now, so there is no progress to update.")
                return
            client.views_open(trigger_id=body["trigger_id"], view=modals.progress_modal(
                enrolment_id=view.enrolment_id, title=view.title, percent=view.percent))

    @app.action(home.ADD_BADGE)
    def open_badge(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=modals.badge_modal())

    @app.action(home.NOMINATE)
    def open_nominate(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=modals.nominate_modal())


def publish_home(client: WebClient, services: Services, user_id: str) -> None:
    """Build and publish the user's Home tab; on failure, log it and publish a short apology instead."""
    try:
        view = home.home_view(services, user_id)
    except Exception:  # a broken Home must not stay blank: say so, with a reference for the logs
        ref = uuid.uuid4().hex[:8]
        logger.exception("slack.home_failed ref=%s user=%s", ref, user_id)
        view = {"type": "home", "blocks": [{"type": "section", "text": mrkdwn(SORRY.format(ref=ref))}]}
    client.views_publish(user_id=user_id, view=view)


def acting_user(body: dict[str, Any]) -> str:
    """The user Slack signed the request for: the only source of who is acting."""
    return str((body.get("user") or {}).get("id") or body.get("user_id") or "")


def enrolment_id(action: dict[str, Any]) -> int:
    """The enrolment a button points at (from its value; skills re-check who may act on it)."""
    parsed = parse_action(str(action.get("value", "")))
    value = str(parsed.args.get("enrolment_id", "")) if parsed else ""
    if not (value.isascii() and value.isdigit()):
        raise BadgerError("That button doesn't point at an enrolment any more.")
    return int(value)


@contextmanager
def told(client: WebClient, place: Place) -> Iterator[None]:
    """Tell the user a domain error's message privately; apologise (and log) for anything else."""
    try:
        yield
    except BadgerError as exc:
        tell_private(client, place, f"❌ {escape(str(exc))}")
    except Exception as exc:  # noqa: BLE001 (logged with its traceback; the user gets a reference)
        apologise(client, place, exc)
