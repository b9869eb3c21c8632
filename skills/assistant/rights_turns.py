"""A person asks, in their own words, for a copy or the erasure of their data; an admin confirms with a button."""

from __future__ import annotations

import re

from sqlmodel import Session

from skills.access import Actor
from skills.assistant.context import TurnContext
from skills.assistant.messages import Message, say
from skills.records.rights import confirm_request, request_rights
from skills.records.xapi import XapiConfig

ERASE = re.compile(r"\b(?:erase|delete|remove|forget|wipe|purge)\s+(?:all\s+(?:of\s+)?)?(?:my\s+(?:personal\s+)?"
                   r"(?:data|records|information|info|history|account)|me\b|everything\s+(?:you\s+\w+\s+)?"
                   r"(?:about|on)\s+me)", re.I)
EXPORT = re.compile(r"\b(?:export|download|copy\s+of|send\s+me|give\s+me|what)\b.{0,30}?\b(?:my\s+(?:personal\s+)?"
                    r"data|my\s+records|data\s+(?:you\s+\w+\s+)?(?:about|on)\s+me)\b", re.I)


def request_reply(session: Session, actor: Actor | None, text: str) -> Message | None:
    """Record a person's data request when the message is one (the caller commits), else None."""
    action = "erase" if ERASE.search(text) else "export" if EXPORT.search(text) else None
    if action is None:
        return None
    if actor is None:
        return say("I don't know who you are, so I hold nothing about you.", intent="rights_request")
    return _asked(session, actor, action)


def request(ctx: TurnContext, action: str) -> Message:
    """The App Home's "Copy of my data" / "Erase my data" buttons."""
    return _asked(ctx.session, ctx.require_actor(), action)


def _asked(session: Session, actor: Actor, action: str) -> Message:
    row = request_rights(session=session, actor=actor, action=action)
    what = ("erase everything I hold about you" if action == "erase"
            else "send you a copy of everything I hold about you")
    return say(f"I've asked the L&D admins to {what} (request #{row.id}). An admin confirms it; "
               "nothing changes until then.", intent="rights_request")


def confirm(ctx: TurnContext, request_id: int) -> Message:
    """An admin's Confirm button on a data request."""
    settings = ctx.kb.settings
    done = confirm_request(session=ctx.session, actor=ctx.require_actor(), request_id=request_id,
                           xapi=XapiConfig.from_settings(settings) if settings.xapi_endpoint else None,
                           forget_vectors=ctx.kb.index.forget_person)
    return say(done, intent="rights_confirmed")
