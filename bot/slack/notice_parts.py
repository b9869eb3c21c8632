"""Small pieces shared by the notice renderers: payload fields as text, a one-section card, the status button."""

from __future__ import annotations

from typing import Any

from skills.assistant.messages import Action, Block, Button, Buttons, Context, Message, Section

Payload = dict[str, Any]
STATUS = Button("My status", Action("status"))


def get(payload: Payload, key: str, default: str = "") -> str:
    """A payload field as text, or the default when it is missing or empty."""
    value = payload.get(key)
    return default if value in (None, "") else str(value)


def course(p: Payload) -> str:
    """The credential in bold, with its provider."""
    title = get(p, "credential_title", get(p, "credential_id", "a credential"))
    provider = get(p, "provider")
    return f"*{title}*" + (f" ({provider})" if provider else "")


def who(p: Payload, role: str) -> str:
    """The name (else the id) of the employee, actor or nominator in the payload."""
    return get(p, f"{role}_name", get(p, f"{role}_id", "Someone"))


def card(text: str, *, intent: str, context: str = "", buttons: tuple[Button, ...] = ()) -> Message:
    """A message of one section, an optional context line and an optional row of buttons."""
    blocks: list[Block] = [Section(text)]
    if context:
        blocks.append(Context(context))
    if buttons:
        blocks.append(Buttons(buttons))
    return Message(text=text, blocks=blocks, intent=intent)


def enrolment_args(p: Payload) -> dict[str, Any]:
    """Button arguments naming the payload's enrolment."""
    return {"enrolment_id": p.get("enrolment_id")}
