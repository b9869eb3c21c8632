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
    """One listener per form (callback_id): the ack checks the input; the change runs in a lazy listener."""
    for callback_id, check, work in ((modals.PROGRESS, _progress_errors, _progress),
                                     (modals.DECLINE, _decline_errors, _decline),
                                     (modals.NOMINATE, _nominate_errors, _nominate),
                                     (modals.BADGE, _badge_errors, _badge)):
        app.view(callback_id)(ack=_acker(check), lazy=[_worker(services, check, work)])


Check = Callable[[dict[str, Any], str], dict[str, str]]
Submit = Callable[[Services, WebClient, str, dict[str, Any]], None]


def _acker(check: Check) -> Callable[..., None]:
    def ack_form(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        errors = check(view, acting_user(body))
        if errors:
            ack(response_action="errors", errors=errors)
        else:
            ack()

    return ack_form


def _worker(services: Services, check: Check, submit: Submit) -> Callable[..., None]:
    def run_form(body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user = acting_user(body)
        if not check(view, user):  # the ack refused it otherwise
            submit(services, client, user, view)

    return run_form


def _progress_errors(view: dict[str, Any], _user: str) -> dict[str, str]:
    values = _values(view)
    raw = str(_field(values, "percent").get("value") or "").strip()
    if _field(values, "complete").get("selected_options") or (raw.isascii() and raw.isdigit() and int(raw) <= 100):
        return {}
    return {"percent": "Enter a whole number from 0 to 100."}


def _progress(services: Services, client: WebClient, user: str, view: dict[str, Any]) -> None:
    values, meta = _values(view), modals.metadata(view)
    done = bool(_field(values, "complete").get("selected_options"))
    percent = int(str(_field(values, "percent").get("value") or "0").strip() or 0)
    note = _text(values, "note") or None
    target = _int(meta.get("enrolment_id"))

    def work(session: Session, actor: Actor) -> str:
        if done:
            row = complete(session=session, actor=actor, enrolment_id=target)
            return f"🎉 *{_title(session, row.credential_id)}* marked complete. When the badge arrives, send it " \
                   "to me (the link or the file) and I'll verify it."
        row = update_progress(session=session, actor=actor, enrolment_id=target, percent=percent, note=note)
        return f"Progress on *{_title(session, row.credential_id)}* is now {row.percent}%."

    _act(client, services, user, work)


def _decline_errors(view: dict[str, Any], _user: str) -> dict[str, str]:
    return {} if _text(_values(view), "reason") else {"reason": "Please say why, so they know."}


def _decline(services: Services, client: WebClient, user: str, view: dict[str, Any]) -> None:
    reason, meta = _text(_values(view), "reason"), modals.metadata(view)
    target = _int(meta.get("enrolment_id"))

    def work(session: Session, actor: Actor) -> str:
        row = decline(session=session, actor=actor, enrolment_id=target, reason=reason)
        whose = possessive(get_employee(session, row.employee_id).name)
        return f"Declined {escape(whose)} request for *{_title(session, row.credential_id)}*: “{escape(reason)}”"

    if (text := _act(client, services, user, work)) is not None:
        _settle(client, user, meta, text)


def _nomination(view: dict[str, Any]) -> tuple[str, str, str, str, date | None]:
    values = _values(view)
    option = _field(values, "credential", modals.CREDENTIAL_ACTION).get("selected_option") or {}
    picked = str(_field(values, "due").get("selected_date") or "")
    return (str(_field(values, "person").get("selected_user") or ""), str(option.get("value") or ""),
            _text(values, "reason"), picked, _date(picked))


def _nominate_errors(view: dict[str, Any], user: str) -> dict[str, str]:
    person, credential, reason, picked, due = _nomination(view)
    return {key: message for key, message, bad in (
        ("person", "Choose who you're nominating.", not person),
        ("person", "You can't nominate yourself; enrol instead.", person == user),
        ("credential", "Choose a credential from the catalogue.", not credential),
        ("reason", "Please say why you're nominating them.", not reason),
        ("due", "Pick a date from today on (or leave it empty).", bool(picked) and due is None)) if bad}


def _nominate(services: Services, client: WebClient, user: str, view: dict[str, Any]) -> None:
    person, credential, reason, _picked, due = _nomination(view)

    def work(session: Session, actor: Actor) -> str:
        row = nominate(session=session, actor=actor, employee_id=person, credential_id=credential,
                       reason=reason, due_date=due)
        who = escape(get_employee(session, row.employee_id).name)
        return f"Nominated {who} for *{_title(session, row.credential_id)}*. I'll DM them and tell you their answer."

    _act(client, services, user, work)


def _badge_input(view: dict[str, Any]) -> tuple[str, str]:
    values = _values(view)
    return _text(values, "url"), _text(values, "json").strip("`").removeprefix("json").strip()


def _badge_errors(view: dict[str, Any], _user: str) -> dict[str, str]:
    url, pasted = _badge_input(view)
    if not (url or pasted):
        return {"url": "Paste the badge's link, or the badge itself below."}
    if url and not url.startswith(("https://", "http://")):
        return {"url": "That isn't a web link (https://…)."}
    if not url and not _looks_like_badge(pasted):
        return {"json": "That isn't badge JSON or a VC-JWT."}
    return {}


def _badge(services: Services, client: WebClient, user: str, view: dict[str, Any]) -> None:
    url, pasted = _badge_input(view)
    place = Place(user=user)
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
