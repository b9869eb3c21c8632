"""Recognition turns: a manager confirms a badge was earned, holds a shoutout from its preview, or releases it."""

from __future__ import annotations

from skills import recognition
from skills.assistant.context import TurnContext
from skills.assistant.messages import Action, Button, Message, say
from skills.lifecycle import load_enrolment
from skills.models import Notice


def _what(notice: Notice) -> str:
    payload = notice.payload or {}
    name = str(payload.get("employee_name") or payload.get("employee_id") or "someone")
    title = str(payload.get("credential_title") or payload.get("credential_id") or "their credential")
    return f"the shoutout for {name} (*{title}*)"


def hold(ctx: TurnContext, notice_id: int) -> Message:
    """Hold a shoutout that hasn't been posted yet."""
    notice = recognition.hold_shoutout(session=ctx.session, actor=ctx.require_actor(), notice_id=notice_id)
    release = Button("Post it after all", Action("release_shoutout", {"notice_id": notice.id}), "primary")
    return say(f"Held: {_what(notice)} won't be posted. Change your mind any time.", intent="hold_shoutout",
               buttons=[release])


def confirm(ctx: TurnContext, enrolment_id: int) -> Message:
    """A manager (or an admin) confirms a finished course's badge was earned: the shoutout follows."""
    enrolment = load_enrolment(ctx.session, enrolment_id)
    done = recognition.award(session=ctx.session, actor=ctx.require_actor(), employee_id=enrolment.employee_id,
                             credential_id=enrolment.credential_id,
                             policy=recognition.ShoutoutPolicy.from_settings(ctx.kb.settings))
    return say(f"Confirmed: #{done.id} is earned. 🎉 The team will hear about it.", intent="confirm_earned")


def release(ctx: TurnContext, notice_id: int) -> Message:
    """Let a held shoutout be posted."""
    notice = recognition.release_shoutout(session=ctx.session, actor=ctx.require_actor(), notice_id=notice_id)
    again = Button("Hold", Action("hold_shoutout", {"notice_id": notice.id}), "danger")
    return say(f"Released: {_what(notice)} will be posted shortly.", intent="release_shoutout", buttons=[again])
