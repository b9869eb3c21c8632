"""Celebration and digest cards: the team shoutout, the private congratulation, the manager's preview, the digest."""

from __future__ import annotations

from bot.slack.notice_parts import STATUS, Payload, card, course, get, who
from skills.assistant.messages import (
    Action,
    Block,
    Button,
    Buttons,
    Context,
    Image,
    Message,
    Section,
    channel_mention,
    mention,
)


def _skills(p: Payload) -> str:
    skills = [str(s) for s in p.get("skills") or [] if str(s).strip()]
    return ", ".join(skills[:8]) + (f" and {len(skills) - 8} more" if len(skills) > 8 else "")


def _badge(p: Payload, text: str, *, intent: str, context: str = "",
           buttons: tuple[Button, ...] = ()) -> Message:
    """A badge card: the text, the skills, the badge image when it is an https URL, a context line, buttons."""
    skills = _skills(p)
    blocks: list[Block] = [Section(text, (f"*Skills*\n{skills}",) if skills else ())]
    image = get(p, "image_url")
    if image.startswith("https://"):
        blocks.append(Image(image, f"Badge: {get(p, 'credential_title', 'credential')}"))
    if context:
        blocks.append(Context(context))
    if buttons:
        blocks.append(Buttons(buttons))
    return Message(text=text, blocks=blocks, intent=intent)


def _verified(p: Payload) -> str:
    return " ✅ verified" if p.get("verified") is True else ""


def shoutout(p: Payload) -> Message:
    """The team channel celebrates: the person, the credential, its skills, the badge, thanks to the nominator."""
    person = mention(get(p, "employee_id"), who(p, "employee")) if p.get("employee_id") else who(p, "employee")
    text = f"🎉 {person} earned {course(p)}!{_verified(p)}"
    lines = []
    if p.get("nominated_by_id"):
        lines.append(f"Thanks to {mention(get(p, 'nominated_by_id'), who(p, 'nominated_by'))} for the nomination.")
    lines.append("Congratulate them in the thread 👇")
    return _badge(p, text, intent="shoutout", context=" ".join(lines))


def congratulation(p: Payload) -> Message:
    """A private congratulation for someone who opted out of team shoutouts."""
    text = f"🎉 Congratulations on earning {course(p)}!{_verified(p)}"
    return _badge(p, text, intent="congratulation", buttons=(STATUS,),
                  context="You've opted out of team shoutouts, so only you see this.")


def shoutout_preview(p: Payload) -> Message:
    """The manager hears a shoutout is coming, and when, with a Hold button."""
    channel = channel_mention(get(p, "channel", "the team channel"))
    when = get(p, "post_at_text", "in a few minutes")
    text = (f"{who(p, 'employee')} earned {course(p)}{_verified(p)}. A shoutout goes to {channel} at {when} "
            "unless you hold it.")
    hold = Button("Hold", Action("hold_shoutout", {"notice_id": p.get("shoutout_notice_id")}), "danger")
    return card(text, intent="shoutout_preview", buttons=(hold,),
                context="You're asked because you manage them. Holding keeps it unposted.")


def _count(data: Payload, key: str) -> int:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _person_line(person: Payload) -> str:
    courses = [c for c in person.get("courses") or [] if isinstance(c, dict)][:5]
    shown = "; ".join(f"{get(c, 'title', 'a course')} {get(c, 'percent', '0')}%"
                      + (f", due {c['due_date']}" if c.get("due_date") else "") for c in courses)
    return (f"• *{get(person, 'name', get(person, 'user_id', 'Someone'))}*: {_count(person, 'in_progress')} in "
            f"progress, {_count(person, 'earned_this_week')} earned this week ({_count(person, 'earned')} in all)"
            + (f" — {shown}" if shown else ""))


def digest(p: Payload) -> Message:
    """The weekly manager digest: the team's totals, one line per person, the top skill gaps."""
    people = [x for x in p.get("people") or [] if isinstance(x, dict)]
    active = sum(_count(x, "in_progress") for x in people)
    earned = sum(_count(x, "earned_this_week") for x in people)
    week = get(p, "week")
    text = (f"Your team's learning{f' in week {week}' if week else ''}: {active} credential"
            f"{'' if active == 1 else 's'} in progress, {earned} badge{'' if earned == 1 else 's'} earned this week.")
    lines = [_person_line(person) for person in people]
    blocks: list[Block] = [Section(text)]
    if lines:
        blocks.append(Section("\n".join(lines)))
    gaps = [g for g in p.get("top_gaps") or [] if isinstance(g, dict) and g.get("skill")]
    if gaps:
        blocks.append(Context("Top skill gaps: " + ", ".join(f"{g['skill']} ({g.get('count', 0)})" for g in gaps[:5])))
    return Message(text=text, blocks=blocks, intent="digest")
