"""Render an outbox notice as a renderer-neutral message: one function per kind, buttons as assistant actions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from skills.assistant.messages import Action, Block, Button, Buttons, Context, Message, Section
from skills.models import Notice
from skills.notices import Kind

logger = logging.getLogger(__name__)

Payload = dict[str, Any]


def _get(payload: Payload, key: str, default: str = "") -> str:
    value = payload.get(key)
    return default if value in (None, "") else str(value)


def _course(p: Payload) -> str:
    title = _get(p, "credential_title", _get(p, "credential_id", "a credential"))
    provider = _get(p, "provider")
    return f"*{title}*" + (f" ({provider})" if provider else "")


def _who(p: Payload, role: str) -> str:
    return _get(p, f"{role}_name", _get(p, f"{role}_id", "Someone"))


def _message(text: str, *, intent: str, context: str = "", buttons: tuple[Button, ...] = ()) -> Message:
    blocks: list[Block] = [Section(text)]
    if context:
        blocks.append(Context(context))
    if buttons:
        blocks.append(Buttons(buttons))
    return Message(text=text, blocks=blocks, intent=intent)


def _reason(p: Payload, label: str = "Reason") -> str:
    reason = _get(p, "reason")
    return f"\n{label}: {reason}" if reason else ""


def _enrolment(p: Payload) -> dict[str, Any]:
    return {"enrolment_id": p.get("enrolment_id")}


STATUS = Button("My status", Action("status"))


def approval_request(p: Payload) -> Message:
    """A manager is asked to approve or decline an enrolment request."""
    cost = p.get("cost")
    amount = f"{cost:,.0f}" if isinstance(cost, int | float) and cost == int(cost) else f"{cost}"
    price = f" It costs {amount} {_get(p, 'currency', 'USD')}." if cost else ""
    text = f"{_who(p, 'employee')} asks to enrol in {_course(p)}.{price}"
    buttons = (Button("Approve", Action("approve", _enrolment(p)), "primary"),
               Button("Decline", Action("decline", _enrolment(p)), "danger"))
    return _message(text, intent="approval_request", buttons=buttons,
                    context="You're asked because you approve their learning requests.")


def request_decided(p: Payload, *, approved: bool) -> Message:
    """The employee hears that their request was approved or declined."""
    verb = "approved" if approved else "declined"
    text = f"{_who(p, 'actor')} {verb} your request to enrol in {_course(p)}.{_reason(p)}"
    return _message(text, intent=f"request_{verb}", buttons=(STATUS,))


def nomination(p: Payload) -> Message:
    """An employee is nominated and asked to accept or decline."""
    due = _get(p, "due_date")
    text = f"{_who(p, 'actor')} nominated you for {_course(p)}.{_reason(p)}"
    buttons = (Button("Accept", Action("accept_nomination", _enrolment(p)), "primary"),
               Button("Decline", Action("decline_nomination", _enrolment(p))))
    return _message(text, intent="nomination", buttons=buttons, context=f"Due by {due}." if due else "")


def nomination_answered(p: Payload, *, accepted: bool) -> Message:
    """The nominator hears the nominee's answer."""
    verb = "accepted" if accepted else "declined"
    return _message(f"{_who(p, 'employee')} {verb} your nomination for {_course(p)}.{_reason(p)}",
                    intent=f"nomination_{verb}")


def withdrawn(p: Payload, *, what: str, status: bool) -> Message:
    """Someone hears that a request, nomination or enrolment was withdrawn."""
    actor, employee = _who(p, "actor"), _who(p, "employee")
    whose = "your"
    if what == "request":  # to the approver: the employee withdrew it, or an admin did
        whose = "their" if p.get("actor_id") == p.get("employee_id") else f"{employee}'s"
    text = f"{actor} withdrew {whose} {what} {'in' if what == 'enrolment' else 'for'} {_course(p)}.{_reason(p)}"
    return _message(text, intent=f"{what}_withdrawn", buttons=(STATUS,) if status else ())


def reminder(p: Payload) -> Message:
    """A learner is reminded of a due or overdue credential."""
    due, percent = _get(p, "due_date", "soon"), _get(p, "percent", "0")
    when = f"was due on {due}" if p.get("overdue") else f"is due on {due}"
    text = f"Reminder: {_course(p)} {when}; you're at {percent}%."
    buttons = (STATUS, Button("Mark complete", Action("complete", _enrolment(p))))
    return _message(text, intent="reminder", buttons=buttons)


def fallback(kind: str, p: Payload) -> Message:
    """A plain rendering of a notice whose kind has no renderer."""
    lines = [f"{key.replace('_', ' ')}: {value}" for key, value in sorted(p.items())
             if isinstance(value, str | int | float) and not isinstance(value, bool) and value != ""]
    text = f"Badger notice ({kind})" + ("\n" + "\n".join(lines) if lines else "")
    return _message(text, intent="notice")


RENDERERS: dict[str, Callable[[Payload], Message]] = {
    Kind.APPROVAL_REQUEST: approval_request,
    Kind.REQUEST_APPROVED: lambda p: request_decided(p, approved=True),
    Kind.REQUEST_DECLINED: lambda p: request_decided(p, approved=False),
    Kind.REQUEST_WITHDRAWN: lambda p: withdrawn(p, what="request", status=False),
    Kind.NOMINATION: nomination,
    Kind.NOMINATION_ACCEPTED: lambda p: nomination_answered(p, accepted=True),
    Kind.NOMINATION_DECLINED: lambda p: nomination_answered(p, accepted=False),
    Kind.NOMINATION_WITHDRAWN: lambda p: withdrawn(p, what="nomination", status=True),
    Kind.ENROLMENT_WITHDRAWN: lambda p: withdrawn(p, what="enrolment", status=True),
    Kind.REMINDER: reminder,
}


def render(notice: Notice) -> Message:
    """The message a notice becomes (a plain rendering, logged at WARNING, for an unknown kind)."""
    renderer = RENDERERS.get(notice.kind)
    if renderer is None:
        logger.warning("no renderer for notice kind %r (notice %s); sending it as plain text", notice.kind, notice.id)
        return fallback(notice.kind, notice.payload or {})
    return renderer(notice.payload or {})
