"""The offline turn: route the words to an intent and run it; and the buttons a user can press."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from skills.assistant import catalogue_turns as cat
from skills.assistant import recognition_turns as recog
from skills.assistant import record_turns as rec
from skills.assistant import rights_turns
from skills.assistant.context import TurnContext
from skills.assistant.intents import Intent, Parsed, Refinement
from skills.assistant.messages import Action, Message, say
from skills.assistant.replies import HELP
from skills.assistant.router import route


def run(ctx: TurnContext, text: str) -> Message:
    """Answer one message with the deterministic router."""
    return dispatch(ctx, route(text))


def dispatch(ctx: TurnContext, parsed: Parsed) -> Message:
    """Run a parsed intent."""
    handlers: dict[Intent, Callable[[], Message]] = {
        Intent.HELP: lambda: say(HELP, intent="help"),
        Intent.FIND: lambda: cat.find(ctx, parsed.query),
        Intent.REFINE: lambda: cat.refine(ctx, parsed.refine or Refinement(more=True)),
        Intent.DETAILS: lambda: cat.details(ctx, parsed.ref),
        Intent.MORE_LIKE: lambda: cat.more_like(ctx, parsed.ref),
        Intent.CLARIFY: lambda: cat.clarify(ctx, parsed.ref),
        Intent.ENROL: lambda: rec.enrol(ctx, parsed.ref),
        Intent.PROGRESS: lambda: rec.update(ctx, parsed.ref, parsed.percent or 0),
        Intent.COMPLETE: lambda: rec.finish(ctx, parsed.ref),
        Intent.STATUS: lambda: rec.my_status(ctx),
        Intent.GAPS: lambda: rec.my_gaps(ctx),
        Intent.TEAM: lambda: rec.team(ctx),
        Intent.PENDING: lambda: rec.team(ctx, pending_only=True),
        Intent.TEAM_GAPS: lambda: rec.team_gaps(ctx),
        Intent.APPROVE: lambda: rec.decide(ctx, parsed.enrolment_id or 0, approve=True, reason=parsed.reason),
        Intent.DECLINE: lambda: rec.decide(ctx, parsed.enrolment_id or 0, approve=False, reason=parsed.reason),
        Intent.NOMINATE: lambda: rec.nominate(ctx, parsed.person, parsed.ref, parsed.reason),
        Intent.TALENT: lambda: rec.talent(ctx, parsed.query),
        Intent.BADGES: lambda: rec.badges(ctx, parsed.person),
    }
    message = handlers[parsed.intent]()
    if message.intent == "unknown":
        message.intent = parsed.intent.value
    return message


def _int(args: dict[str, Any], name: str) -> int:
    value = args.get(name)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(name)
    return int(value)


def perform(ctx: TurnContext, action: Action) -> Message:
    """Run a button: its arguments are untrusted data; the skills decide what the acting user may do."""
    args = action.args
    credential = str(args.get("credential_id", ""))
    try:
        table: dict[str, Callable[[], Message]] = {
            "enrol": lambda: rec.enrol(ctx, credential),
            "details": lambda: cat.details(ctx, credential),
            "more_like": lambda: cat.more_like(ctx, credential),
            "status": lambda: rec.my_status(ctx),
            "gaps": lambda: rec.my_gaps(ctx),
            "approve": lambda: rec.decide(ctx, _int(args, "enrolment_id"), approve=True),
            "decline": lambda: rec.decide(ctx, _int(args, "enrolment_id"), approve=False,
                                          reason=str(args.get("reason", ""))),
            "accept_nomination": lambda: rec.answer_nomination(ctx, _int(args, "enrolment_id"), accept=True),
            "decline_nomination": lambda: rec.answer_nomination(ctx, _int(args, "enrolment_id"), accept=False),
            "progress": lambda: rec.record_progress(ctx, _int(args, "enrolment_id"), _int(args, "percent")),
            "complete": lambda: rec.record_complete(ctx, _int(args, "enrolment_id")),
            "nominate": lambda: rec.nominate(ctx, str(args.get("employee_id", "")), credential,
                                             str(args.get("reason", ""))),
            "confirm_earned": lambda: recog.confirm(ctx, _int(args, "enrolment_id")),
            "hold_shoutout": lambda: recog.hold(ctx, _int(args, "notice_id")),
            "release_shoutout": lambda: recog.release(ctx, _int(args, "notice_id")),
            "confirm_rights": lambda: rights_turns.confirm(ctx, _int(args, "request_id")),  # issue 17
            "request_rights": lambda: rights_turns.request(ctx, str(args.get("action", ""))),
        }
        handler = table.get(action.kind)
        if handler is None:
            return say("That button doesn't do anything any more.", intent="unknown")
        return handler()
    except ValueError:
        return say("That button doesn't do anything any more.", intent="unknown")
