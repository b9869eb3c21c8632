"""Polite refusals for requests no reply may satisfy: secrets, someone else's records, self-approval, mass actions.

Checked before the router and before the model, so neither a keyword route nor a fooled model ever sees them as
work. This is a courtesy, not the security boundary: every skill still checks the acting user's rights itself.
"""

from __future__ import annotations

import re

from sqlmodel import Session

from skills.access import Actor, manages_or_admin
from skills.assistant.messages import Message, say
from skills.assistant.resolve import find_people
from skills.models import Employee

SECRETS = re.compile(  # aimed at Badger itself ("your ..."), so a course on OAuth tokens is still a question
    r"system\s+prompt|\b(?:your|badger['’]?s|the\s+bot['’]?s)\s+(?:[\w-]+\s+){0,2}?(?:instructions|prompt|rules|"
    r"keys?|tokens?|secrets?|passwords?|config\w*|settings|env\w*)\b|openai_api_key|slack_\w*token|"
    r"\bxox[a-z]-|signing\s+secret", re.I)
OWN_APPROVAL = re.compile(r"\bapprove\s+(?:my|mine|my\s+own|it\s+myself|this\s+myself)\b|"
                          r"\b(?:self[\s-]?approve|approve\s+(?:it|this)\s+for\s+me)\b", re.I)
MASS = re.compile(r"\b(?:enrol+|sign\s+up|register|nominate|approve)\b.{0,60}?\b(?:everyone|everybody|all\s+"
                  r"(?:users|staff|employees|people|of\s+them|requests)|the\s+whole\s+(?:team|company|org\w*))\b", re.I)
RECORD_WORDS = (r"(?:enrol\w*|learning|progress|badges?|records?|courses?|status|data|history|conversations?|"
                r"feedback|requests?|skills?|nominations?)")
OTHERS = re.compile(rf"\b([A-Za-z][\w-]*(?:\s+[A-Z][\w-]*)?)['’]s?\s+{RECORD_WORDS}\b|"
                    r"\bwhat\s+(?:is|are)\s+([A-Za-z][\w-]*)\s+(?:learning|studying|enrolled|working\s+on)\b", re.I)
SOMEONE_ELSES = re.compile(rf"\b(?:manager|boss|colleague|teammate|co-?worker|report)['’]s?\s+{RECORD_WORDS}\b", re.I)
TOKEN_SHAPES = re.compile(r"\b(?:sk-[A-Za-z0-9_-]{8,}|xox[a-z]-[A-Za-z0-9-]{6,}|xapp-[A-Za-z0-9-]{6,})")
NOT_NAMES = {"my", "your", "our", "their", "his", "her", "team", "manager", "the", "a", "this", "that", "it",
             "everyone", "someone", "somebody", "people", "company", "badger", "i", "you", "we", "they"}

PRIVATE_REPLY = ("I can't share my instructions, keys or tokens. I'm happy to help you find a course or check "
                "your own learning.")
OWN_APPROVAL_REPLY = ("You can't approve your own request: your manager (or an L&D admin) decides it, and "
                      "I'll tell you when they do.")
MASS_REPLY = ("I can't do that for a group. I can enrol you, and a manager can nominate each of their own reports, "
              "one at a time, with a reason.")
OTHERS_REPLY = ("I can only show you your own learning records; a colleague's are for them, their manager and "
                "L&D admins.")


def refusal(session: Session, actor: Actor | None, text: str) -> Message | None:
    """A polite refusal when the message asks for something beyond the actor's rights, else None."""
    if SECRETS.search(text):
        return say(PRIVATE_REPLY, intent="refused")
    if OWN_APPROVAL.search(text):
        return say(OWN_APPROVAL_REPLY, intent="refused")
    if MASS.search(text):
        return say(MASS_REPLY, intent="refused")
    me = session.get(Employee, actor.user_id) if actor is not None else None
    if SOMEONE_ELSES.search(text) and (me is None or not me.is_admin):
        return say(OTHERS_REPLY, intent="refused")
    for match in OTHERS.finditer(text):
        name = (match.group(1) or match.group(2) or "").strip()
        for candidate in dict.fromkeys((name, name.split()[-1] if name else "")):
            if not candidate or candidate.lower() in NOT_NAMES:
                continue
            people = [p for p in find_people(session, candidate) if me is None or p.user_id != me.user_id]
            if people and (me is None or not all(manages_or_admin(me, p) for p in people)):
                return say(OTHERS_REPLY, intent="refused")
    return None


def _windows(text: str, size: int = 8) -> set[str]:
    words = re.findall(r"[a-z0-9_]+", text.lower())
    return {" ".join(words[i:i + size]) for i in range(max(0, len(words) - size + 1))}


def screen(message: Message, *, prompt: str) -> Message:
    """The model's reply, or a refusal when it repeats its instructions or carries something shaped like a token."""
    if TOKEN_SHAPES.search(message.text) or _windows(prompt) & _windows(message.text):
        return say(PRIVATE_REPLY, intent="refused")
    return message
