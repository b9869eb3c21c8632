"""Buttons: the assistant's actions (enrol, details, approve, …) and answer feedback."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlmodel import Session

from bot.slack.blocks import ACTION_PREFIX, FEEDBACK_ACTION
from bot.slack.listeners import home
from bot.slack.replies import Place, guarded, is_shared, send, tell_private
from bot.slack.services import Services
from bot.slack.turns import parse_action
from skills.assistant.messages import Message
from skills.feedback import record_feedback

logger = logging.getLogger(__name__)
# Buttons that settle something: the original message loses its buttons so nobody presses them again.
DECISIONS = {"approve", "accept_nomination", "decline_nomination", "confirm_earned"}
THANKS = "Thanks for the feedback — it helps us tune the answers."


def place_of_action(body: dict[str, Any]) -> Place:
    """Where a button was pressed; Home and modals answer in the user's DM, ephemeral messages via response_url."""
    user = str((body.get("user") or {}).get("id", ""))
    container = body.get("container") or {}
    if container.get("type") == "view":
        return Place(user=user)
    channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
    if container.get("is_ephemeral"):
        return Place(user=user, channel=channel, shared=is_shared(channel), thread="slash",
                     response_url=body.get("response_url"))
    thread = str(container.get("thread_ts") or "")
    if is_shared(channel) and not thread:
        thread = str(container.get("message_ts") or "")
    return Place(user=user, channel=channel, shared=is_shared(channel), thread=thread)


def register(app: App, services: Services) -> None:
    """Assistant buttons (all but decline, which opens a form) and feedback buttons."""
    app.action(re.compile(rf"^{ACTION_PREFIX}(?!decline:)"))(ack=_ack, lazy=[_pressed(services)])
    app.action(re.compile(rf"^{FEEDBACK_ACTION}"))(ack=_ack, lazy=[_feedback(services)])


def _ack(ack: Ack) -> None:
    ack()


def _pressed(services: Services) -> Any:
    def press(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        place = place_of_action(body)
        parsed = parse_action(str(action.get("value", "")))
        with guarded(client, place):
            if parsed is None:
                tell_private(client, place, "That button doesn't do anything any more.")
                return
            message = services.assistant.perform(actor=place.actor, key=place.key, action=parsed)
            if parsed.kind in DECISIONS and message.intent != "error":
                _settle(client, body, message)
            send(client, place, message)
            if (body.get("container") or {}).get("type") == "view":
                home.publish_home(client, services, place.user)  # the tab shows the change

    return press


def _settle(client: WebClient, body: dict[str, Any], result: Message) -> None:
    container = body.get("container") or {}
    original = body.get("message") or {}
    if container.get("type") != "message" or container.get("is_ephemeral") or not original:
        return
    kept = [b for b in original.get("blocks", []) if b.get("type") != "actions"]
    kept.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"✅ {result.text[:2900]}"}]})
    client.chat_update(channel=container["channel_id"], ts=container["message_ts"], text=original.get("text", ""),
                       blocks=kept)


def cited(message: dict[str, Any]) -> list[str]:
    """Credential ids the answer's buttons point at, in order."""
    found: list[str] = []
    for block in message.get("blocks", []):
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            parsed = parse_action(str(element.get("value", "")))
            credential = parsed.args.get("credential_id") if parsed else None
            if isinstance(credential, str) and credential not in found:
                found.append(credential)
    return found


def _feedback(services: Services) -> Any:
    def feedback(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        place = place_of_action(body)
        container = body.get("container") or {}
        ref = f"{container.get('channel_id', '')}:{container.get('message_ts', '')}"
        with guarded(client, place), Session(services.engine) as session:
            record_feedback(session=session, actor=place.actor, answer_ref=ref,
                            helpful=action.get("value") == "helpful", action_ts=str(action.get("action_ts", "")),
                            citations=cited(body.get("message") or {}))
            session.commit()
            logger.info("slack.feedback helpful=%s", action.get("value") == "helpful")
            if place.response_url or place.shared:
                tell_private(client, place, THANKS)
            else:  # a DM: ephemeral too, so the thanks doesn't stay in the conversation
                client.chat_postEphemeral(channel=place.channel, user=place.user, text=THANKS)

    return feedback
