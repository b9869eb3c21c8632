"""Modal submissions: check the input (errors shown in the form), ack, then act as the signed-in user."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlmodel import Session

from bot.slack import modals
from bot.slack.blocks import escape
from bot.slack.listeners.badges import import_and_report
from bot.slack.listeners.home import acting_user, publish_home, told
from bot.slack.replies import Place, tell_private
from bot.slack.services import Services
from core.db import session_scope
from knowledge.models import Credential
from skills.access import Actor, get_employee, possessive
from skills.enrolment import decline
from skills.nominations import nominate
from skills.progress import complete, update_progress

Values = dict[str, dict[str, dict[str, Any]]]
Work = Callable[[Session, Actor], str]


def register(app: App, services: Services) -> None:
    """One listener per form (callback_id)."""

    @app.view(modals.PROGRESS)
    def on_progress(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        values, meta = _values(view), modals.metadata(view)
        done = bool(_field(values, "complete").get("selected_options"))
        raw = str(_field(values, "percent").get("value") or "").strip()
        if not done and not (raw.isascii() and raw.isdigit() and 0 <= int(raw) <= 100):
            ack(response_action="errors", errors={"percent": "Enter a whole number from 0 to 100."})
            return
        ack()
        note = _text(values, "note") or None
        target = _int(meta.get("enrolment_id"))

        def work(session: Session, actor: Actor) -> str:
            if done:
                row = complete(session=session, actor=actor, enrolment_id=target)
                return f"🎉 *{_title(session, row.credential_id)}* marked complete. When the badge arrives, send it " \
                       "to me (the link or the file) and I'll verify it."
            row = update_progress(session=session, actor=actor, enrolment_id=target, percent=int(raw), note=note)
            return f"Progress on *{_title(session, row.credential_id)}* is now {row.percent}%."

        _act(client, services, acting_user(body), work)

    @app.view(modals.DECLINE)
    def on_decline(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        reason = _text(_values(view), "reason")
        if not reason:
            ack(response_action="errors", errors={"reason": "Please say why, so they know."})
            return
        ack()
        meta, user = modals.metadata(view), acting_user(body)
        target = _int(meta.get("enrolment_id"))

        def work(session: Session, actor: Actor) -> str:
            row = decline(session=session, actor=actor, enrolment_id=target, reason=reason)
            whose = possessive(get_employee(session, row.employee_id).name)
            return f"Declined {escape(whose)} request for *{_title(session, row.credential_id)}*: “{escape(reason)}”"

        if (text := _act(client, services, user, work)) is not None:
            _settle(client, user, meta, text)

    @app.view(modals.NOMINATE)
    def on_nominate(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        values, user = _values(view), acting_user(body)
        person = str(_field(values, "person").get("selected_user") or "")
        option = _field(values, "credential", modals.CREDENTIAL_ACTION).get("selected_option") or {}
        credential, reason = str(option.get("value") or ""), _text(values, "reason")
        picked = str(_field(values, "due").get("selected_date") or "")
        due = _date(picked)
        errors = {key: message for key, message, bad in (
            ("person", "Choose who you're nominating.", not person),
            ("person", "You can't nominate yourself; enrol instead.", person == user),
            ("credential", "Choose a credential from the catalogue.", not credential),
            ("reason", "Please say why you're nominating them.", not reason),
            ("due", "Pick a date from today on (or leave it empty).", bool(picked) and due is None)) if bad}
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()

        def work(session: Session, actor: Actor) -> str:
            row = nominate(session=session, actor=actor, employee_id=person, credential_id=credential,
                           reason=reason, due_date=due)
            who = escape(get_employee(session, row.employee_id).name)
            title = _title(session, row.credential_id)
            return f"Nominated {who} for *{title}*. I'll DM them and tell you their answer."

        _act(client, services, user, work)

    @app.view(modals.BADGE)
    def on_badge(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        values = _values(view)
        url, pasted = _text(values, "url"), _text(values, "json").strip("`").removeprefix("json").strip()
        if not (url or pasted):
            ack(response_action="errors", errors={"url": "Paste the badge's link, or the badge itself below."})
            return
        if url and not url.startswith(("https://", "http://")):
            ack(response_action="errors", errors={"url": "That isn't a web link (https://…)."})
            return
        if not url and not _looks_like_badge(pasted):
            ack(response_action="errors", errors={"json": "That isn't badge JSON or a VC-JWT."})
            return
        ack()
        place = Place(user=acting_user(body))
        if import_and_report(client, services, place, url or pasted):
            publish_home(client, services, place.user)


def _act(client: WebClient, services: Services, user: str, work: Work) -> str | None:
    """Run the change in one transaction as the acting user, tell them the result, refresh their Home."""
    place = Place(user=user)
    with told(client, place):
        with session_scope(services.engine) as session:
            text = work(session, place.actor)
        tell_private(client, place, text)
        publish_home(client, services, user)
        return text
    return None


def _settle(client: WebClient, user: str, meta: dict[str, Any], text: str) -> None:
    """Replace the approval DM's buttons with the decision, if the form came from the user's own DM with Badger."""
    channel, ts = meta.get("channel"), meta.get("ts")
    if not (isinstance(channel, str) and isinstance(ts, str)):
        return
    with told(client, Place(user=user)):
        if client.conversations_open(users=user)["channel"]["id"] == channel:  # metadata is untrusted
            client.chat_update(channel=channel, ts=ts, text=text, blocks=[
                {"type": "section", "text": {"type": "mrkdwn", "text": f"❌ {text}"}}])


def _values(view: dict[str, Any]) -> Values:
    return (view.get("state") or {}).get("values") or {}


def _field(values: Values, block: str, action: str | None = None) -> dict[str, Any]:
    return (values.get(block) or {}).get(action or block) or {}


def _text(values: Values, block: str) -> str:
    return str(_field(values, block).get("value") or "").strip()


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0  # 0: no such enrolment


def _date(value: str) -> date | None:
    """The picked date; None when empty, malformed or in the past."""
    try:
        picked = date.fromisoformat(value)
    except ValueError:
        return None
    return picked if picked >= datetime.now(UTC).date() else None


def _looks_like_badge(text: str) -> bool:
    if text.count(".") == 2 and " " not in text:
        return True  # a VC-JWT or signed assertion
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _title(session: Session, credential_id: str) -> str:
    credential = session.get(Credential, credential_id)
    return escape(credential.title if credential else credential_id)
