"""Render an outbox notice as a renderer-neutral message: one function per kind, buttons as assistant actions."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.slack import celebrations
from bot.slack.badge_notice import badge_issued
from bot.slack.notice_parts import STATUS, Payload, card, course, enrolment_args, get, who
from skills.assistant.messages import Action, Button, Message
from skills.models import Notice
from skills.notices import Kind

logger = logging.getLogger(__name__)


def _reason(p: Payload, label: str = "Reason") -> str:
    reason = get(p, "reason")
    return f"\n{label}: {reason}" if reason else ""


def approval_request(p: Payload) -> Message:
    """A manager is asked to approve or decline an enrolment request."""
    cost = p.get("cost")
    amount = f"{cost:,.0f}" if isinstance(cost, int | float) and cost == int(cost) else f"{cost}"
    price = f" It costs {amount} {get(p, 'currency', 'USD')}." if cost else ""
    text = f"{who(p, 'employee')} asks to enrol in {course(p)}.{price}"
    return card(text, intent="approval_request", buttons=_decide(p),
                context="You're asked because you approve their learning requests.")


def completion(p: Payload) -> Message:
    """A manager is asked to confirm that a report who finished a course earned its badge."""
    text = f"{who(p, 'employee')} finished {course(p)}. Did they earn the badge?"
    confirm = Button("Confirm earned", Action("confirm_earned", enrolment_args(p)), "primary")
    return card(text, intent="completion", buttons=(confirm,),
                context="Confirming records the badge and posts a shoutout (you can still hold it).")


def request_decided(p: Payload, *, approved: bool) -> Message:
    """The employee hears that their request was approved or declined."""
    verb = "approved" if approved else "declined"
    text = f"{who(p, 'actor')} {verb} your request to enrol in {course(p)}.{_reason(p)}"
    return card(text, intent=f"request_{verb}", buttons=(STATUS,))


def nomination(p: Payload) -> Message:
    """An employee is nominated and asked to accept or decline."""
    due = get(p, "due_date")
    text = f"{who(p, 'actor')} nominated you for {course(p)}.{_reason(p)}"
    return card(text, intent="nomination", buttons=_answer(p), context=f"Due by {due}." if due else "")


def nomination_answered(p: Payload, *, accepted: bool) -> Message:
    """The nominator hears the nominee's answer."""
    verb = "accepted" if accepted else "declined"
    return card(f"{who(p, 'employee')} {verb} your nomination for {course(p)}.{_reason(p)}",
                intent=f"nomination_{verb}")


def withdrawn(p: Payload, *, what: str, status: bool) -> Message:
    """Someone hears that a request, nomination or enrolment was withdrawn."""
    actor, employee = who(p, "actor"), who(p, "employee")
    whose = "your"
    if what == "request":  # to the approver: the employee withdrew it, or an admin did
        whose = "their" if p.get("actor_id") == p.get("employee_id") else f"{employee}'s"
    text = f"{actor} withdrew {whose} {what} {'in' if what == 'enrolment' else 'for'} {course(p)}.{_reason(p)}"
    return card(text, intent=f"{what}_withdrawn", buttons=(STATUS,) if status else ())


def _days(p: Payload) -> str:
    days = p.get("days")
    return f"{days} day{'' if days == 1 else 's'}" if isinstance(days, int) and not isinstance(days, bool) else ""


def rights_request(p: Payload) -> Message:
    """An admin is asked to confirm a person's request for a copy or the erasure of their data."""
    erase = get(p, "action") == "erase"
    what = "erase everything Badger holds about them" if erase else "have a copy of everything Badger holds about them"
    button = Button("Erase their data" if erase else "Confirm export",
                    Action("confirm_rights", {"request_id": p.get("request_id")}), "danger" if erase else "primary")
    return card(f"{who(p, 'employee')} asks to {what}.", intent="rights_request", buttons=(button,),
                context="You're asked because you're an L&D admin. Erasure cannot be undone.")


def _decide(p: Payload) -> tuple[Button, ...]:
    return (Button("Approve", Action("approve", enrolment_args(p)), "primary"),
            Button("Decline", Action("decline", enrolment_args(p)), "danger"))


def _answer(p: Payload) -> tuple[Button, ...]:
    return (Button("Accept", Action("accept_nomination", enrolment_args(p)), "primary"),
            Button("Decline", Action("decline_nomination", enrolment_args(p))))


def reminder(p: Payload) -> Message:
    """A nudge: stalled, due soon, overdue, an unanswered nomination, or (to a manager) a pending approval."""
    reason = get(p, "reason", "overdue" if p.get("overdue") else "due_soon")
    due, percent, days = get(p, "due_date", "soon"), get(p, "percent", "0"), _days(p)
    working = (STATUS, Button("Mark complete", Action("complete", enrolment_args(p))))
    if reason == "stalled":
        since = f" for {days}" if days else " for a while"
        text = f"No progress on {course(p)}{since}; you're at {percent}%. Even a short session keeps it going."
        return card(text, intent="reminder", buttons=working)
    if reason == "nomination_unanswered":
        ago = f" {days} ago" if days else ""
        text = f"You were nominated for {course(p)}{ago} and haven't answered yet."
        return card(text, intent="reminder", buttons=(*_answer(p), STATUS))
    if reason == "approval_pending":
        wait = f" for {days}" if days else ""
        text = f"{who(p, 'employee')} has been waiting{wait} for your decision on {course(p)}."
        return card(text, intent="reminder", buttons=_decide(p))
    if reason == "overdue":
        late = f" ({days} ago)" if days else ""
        text = f"Reminder: {course(p)} was due on {due}{late}; you're at {percent}%."
    else:
        left = " (today)" if p.get("days") == 0 else f" (in {days})" if days else ""
        text = f"Reminder: {course(p)} is due on {due}{left}; you're at {percent}%."
    return card(text, intent="reminder", buttons=working)


def fallback(kind: str, p: Payload) -> Message:
    """A plain rendering of a notice whose kind has no renderer."""
    lines = [f"{key.replace('_', ' ')}: {value}" for key, value in sorted(p.items())
             if isinstance(value, str | int | float) and not isinstance(value, bool) and value != ""]
    text = f"Badger notice ({kind})" + ("\n" + "\n".join(lines) if lines else "")
    return card(text, intent="notice")


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
    Kind.COMPLETION: completion,
    Kind.SHOUTOUT: celebrations.shoutout,
    Kind.CONGRATULATION: celebrations.congratulation,
    Kind.SHOUTOUT_PREVIEW: celebrations.shoutout_preview,
    Kind.DIGEST: celebrations.digest,
    Kind.BADGE_ISSUED: badge_issued,
    Kind.RIGHTS_REQUEST: rights_request,  # issue 17
}


def render(notice: Notice) -> Message:
    """The message a notice becomes (a plain rendering, logged at WARNING, for an unknown kind)."""
    renderer = RENDERERS.get(notice.kind)
    if renderer is None:
        logger.warning("no renderer for notice kind %r (notice %s); sending it as plain text", notice.kind, notice.id)
        return fallback(notice.kind, notice.payload or {})
    return renderer(notice.payload or {})
