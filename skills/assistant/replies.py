"""Messages built from answers and skill views (the same for Slack and the terminal)."""

from __future__ import annotations

from knowledge.answers import Answer, format_cost, format_hours
from knowledge.search import Entry, Hit
from skills.assistant.messages import Action, Block, Button, Buttons, Context, Message, Section
from skills.lifecycle import DESCRIPTIONS
from skills.models import State
from skills.views import EnrolmentView, Holder, MemberStatus, MyStatus, SkillGaps, TeamGap

DESCRIPTION_CHARS = 500
HELP = (
    "I find partner micro-credentials and keep track of your learning. Try:\n"
    "• *free python course for beginners* (then *cheaper?*, *shorter?*, *more*)\n"
    "• *tell me more about the second one* · *sign me up for the first one*\n"
    "• *I'm 60% through the AWS one* · *I finished the python one*\n"
    "• *my status* · *my gaps*\n"
    "• managers: *my team* · *team gaps* · *pending* · *approve 12* · *decline 12 because ...* · "
    "*nominate Leo for the second one because ...* · *who knows kubernetes*"
)


def _fields(hit: Hit | Entry) -> tuple[str, ...]:
    return (f"*Provider*\n{hit.provider}", f"*Level*\n{hit.level or 'any'}",
            f"*Time*\n{format_hours(hit.duration_hours)}", f"*Cost*\n{format_cost(hit.cost, hit.currency)}")


def credential_buttons(credential_id: str, rank: int | None = None) -> Buttons:
    """Enrol / Details for one credential."""
    suffix = f" #{rank}" if rank is not None else ""
    return Buttons((Button(f"Enrol{suffix}", Action("enrol", {"credential_id": credential_id}), "primary"),
                    Button(f"Details{suffix}", Action("details", {"credential_id": credential_id}))))


def answer_message(answer: Answer, *, intent: str = "find") -> Message:
    """A grounded answer: its lead text, one section per cited credential with facts and buttons."""
    lead = answer.text if answer.mode == "llm" or not answer.hits else answer.text.split("\n", 1)[0]
    blocks: list[Block] = [Section(lead)]
    for rank, hit in enumerate(answer.hits, start=1):
        reasons = "; ".join(r for r in hit.why if not r.startswith("close in meaning")) or "close in meaning"
        blocks.append(Section(f"*{rank}. {hit.title}*\n{reasons}", _fields(hit)))
        blocks.append(credential_buttons(hit.id, rank))
    if answer.hits:
        blocks.append(Buttons((Button("More like #1", Action("more_like", {"credential_id": answer.hits[0].id})),)))
    if answer.fallback:
        blocks.append(Context("Answered straight from the catalogue: the language model was unavailable."))
    return Message(text=answer.text, blocks=blocks, citations=list(answer.citations), intent=intent, mode=answer.mode,
                   fallback=answer.fallback)


def details_message(entry: Entry) -> Message:
    """One credential in full."""
    description = entry.description[:DESCRIPTION_CHARS] + ("…" if len(entry.description) > DESCRIPTION_CHARS else "")
    text = f"*{entry.title}*\n{description}".strip()
    blocks: list[Block] = [Section(text, _fields(entry))]
    extra = [f"Skills: {', '.join(entry.skills[:10])}" if entry.skills else "", entry.format or "", entry.url or ""]
    if any(extra):
        blocks.append(Context(" · ".join(e for e in extra if e)))
    blocks.append(Buttons((Button("Enrol", Action("enrol", {"credential_id": entry.id}), "primary"),
                           Button("More like this", Action("more_like", {"credential_id": entry.id})))))
    return Message(text=f"{entry.title} ({entry.provider})", blocks=blocks, citations=[entry.id], intent="details")


def _line(view: EnrolmentView) -> str:
    due = f" · due {view.due_date.isoformat()}" if view.due_date else ""
    percent = f" · {view.percent}%" if view.state in (State.IN_PROGRESS, State.APPROVED) else ""
    state = DESCRIPTIONS.get(view.state, view.state)
    return f"*{view.title}* ({view.provider}) — {state}{percent}{due} · #{view.enrolment_id}"


def status_message(status: MyStatus) -> Message:
    """My enrolments, open nominations and badges."""
    blocks: list[Block] = []
    if not (status.active or status.nominations or status.badges):
        text = f"{status.name}, you have no enrolments yet. Ask me for a course to get started."
        return Message(text=text, blocks=[Section(text)], intent="status")
    if status.active:
        blocks.append(Section("*Learning now*\n" + "\n".join(_line(v) for v in status.active)))
    for view in status.nominations:
        why = f": “{view.nomination_reason}”" if view.nomination_reason else ""
        blocks.append(Section(f"*Nomination* — {view.title} ({view.provider}){why}"))
        blocks.append(Buttons((
            Button("Accept", Action("accept_nomination", {"enrolment_id": view.enrolment_id}), "primary"),
            Button("Decline", Action("decline_nomination", {"enrolment_id": view.enrolment_id}), "danger"))))
    if status.badges:
        blocks.append(Section("*Badges*\n" + "\n".join(f"🏅 {v.title} ({v.provider})" for v in status.badges)))
    counts = f"{len(status.active)} active, {len(status.nominations)} nominations, {len(status.badges)} badges"
    text = f"{status.name}: {counts}"
    return Message(text=text, blocks=blocks, citations=[v.credential_id for v in status.active], intent="status")


def badges_message(status: MyStatus, *, own: bool = True) -> Message:
    """The badges someone has earned, verified ones marked."""
    who = "You have" if own else f"{status.name} has"
    if not status.badges:
        text = f"{who} no badges yet." + (" Finish a course, or import one you earned elsewhere." if own else "")
        return Message(text=text, blocks=[Section(text)], intent="badges")
    lines = [f"🏅 *{v.title}* ({v.provider})" + (" ✅ verified" if v.verified else "")
             + (f" · {v.earned_at.date().isoformat()}" if v.earned_at else "") for v in status.badges]
    text = f"{who} {len(status.badges)} badge{'s' if len(status.badges) != 1 else ''}"
    return Message(text=text, blocks=[Section(f"*{text}*\n" + "\n".join(lines))], intent="badges",
                   citations=[v.credential_id for v in status.badges])


def gaps_message(gaps: SkillGaps) -> Message:
    """The role's skills not yet covered by a badge, each with catalogue suggestions."""
    if not gaps.role_known:
        text = f"I don't have a skill profile for the role {gaps.role or '(none)'}; ask your L&D admin to add one."
        return Message(text=text, blocks=[Section(text)], intent="gaps")
    if not gaps.gaps:
        text = f"No gaps: your badges cover every skill a {gaps.role} needs. 🎉"
        return Message(text=text, blocks=[Section(text)], intent="gaps")
    blocks: list[Block] = [Section(f"As a *{gaps.role}*, {len(gaps.covered)} of {len(gaps.required)} skills are "
                                   f"covered by badges. Gaps, with courses that teach them:")]
    cited: list[str] = []
    for gap in gaps.gaps[:5]:
        picks = "\n".join(f"• {s.title} ({s.provider})" for s in gap.suggestions) or "• nothing in the catalogue yet"
        blocks.append(Section(f"*{gap.skill}*\n{picks}"))
        if gap.suggestions:
            cited.append(gap.suggestions[0].credential_id)
            blocks.append(credential_buttons(gap.suggestions[0].credential_id))
    text = "Skill gaps: " + ", ".join(g.skill for g in gaps.gaps)
    return Message(text=text, blocks=blocks, citations=cited, intent="gaps")


def team_message(members: list[MemberStatus], *, pending_only: bool = False) -> Message:
    """A manager's dashboard; requests waiting for a decision get Approve / Decline buttons."""
    blocks: list[Block] = []
    waiting = 0
    for member in members:
        views = [v for v in member.active if not pending_only or v.state == State.REQUESTED]
        if pending_only and not views:
            continue
        lines = "\n".join(_line(v) for v in views) or "no active enrolments"
        blocks.append(Section(f"*{member.name}* ({member.role or 'no role'}) · {member.badges} badges\n{lines}"))
        for view in views:
            if view.state == State.REQUESTED:
                waiting += 1
                args = {"enrolment_id": view.enrolment_id}
                blocks.append(Buttons((Button(f"Approve #{view.enrolment_id}", Action("approve", args), "primary"),
                                       Button(f"Decline #{view.enrolment_id}", Action("decline", args), "danger"))))
    if not blocks:
        text = "Nothing is waiting for your approval." if pending_only else "You have no direct reports in Badger."
        return Message(text=text, blocks=[Section(text)], intent="pending" if pending_only else "team")
    text = f"{len(members)} people on your team; {waiting} requests waiting for you"
    return Message(text=text, blocks=[Section(text), *blocks], intent="pending" if pending_only else "team")


def team_gaps_message(gaps: list[TeamGap]) -> Message:
    """The skills missing across a team, most shared first."""
    if not gaps:
        text = "No shared skill gaps on your team (or no role profiles for their roles)."
        return Message(text=text, blocks=[Section(text)], intent="team_gaps")
    lines = [f"*{g.skill}* — {g.count} ({', '.join(g.people[:5])})"
             + (f"\n   try: {g.suggestions[0].title} ({g.suggestions[0].provider})" if g.suggestions else "")
             for g in gaps]
    text = "Team skill gaps:\n" + "\n".join(lines)
    return Message(text=text, blocks=[Section(text)], intent="team_gaps",
                   citations=[g.suggestions[0].credential_id for g in gaps if g.suggestions])


def talent_message(skill: str, holders: list[Holder]) -> Message:
    """Who holds a badge teaching the skill."""
    if not holders:
        text = f"No one has earned a badge teaching {skill} yet."
        return Message(text=text, blocks=[Section(text)], intent="talent")
    lines = [f"• *{h.name}* ({h.team or 'no team'}, {h.role or 'no role'}) — {h.title}"
             + (" ✅ verified" if h.verified else "") for h in holders]
    text = f"People with {skill}:\n" + "\n".join(lines)
    return Message(text=text, blocks=[Section(text)], intent="talent")
