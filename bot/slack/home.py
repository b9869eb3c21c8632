"""App Home: "My learning" for everyone and "My team" for managers and admins, within Slack's 100 blocks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from bot.slack.blocks import ACTION_PREFIX, button, escape, mrkdwn, plain, trim
from bot.slack.services import Services
from knowledge.base import KnowledgeBase
from skills.access import Actor, acting_employee
from skills.assistant.messages import Action
from skills.badges.importing import employee_badges
from skills.errors import PermissionDenied
from skills.gaps import skill_gaps, team_gaps
from skills.lifecycle import DESCRIPTIONS
from skills.models import Badge, State
from skills.status import my_status, team_status
from skills.views import EnrolmentView, MemberStatus, MyStatus, SkillGaps, TeamGap

MAX_BLOCKS = 100
MAX_TEXT = 3000
LIMITS = {"active": 12, "nominations": 5, "badges": 15, "gaps": 5, "members": 15, "pending": 10}
PROGRESS, ADD_BADGE, NOMINATE = "home:progress", "home:add_badge", "home:nominate"
WORKING = (State.APPROVED, State.IN_PROGRESS)
Blocks = list[dict[str, Any]]


class CatalogueFinder:
    """Catalogue search for gap suggestions: the skill's name as is, no filters parsed from it."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def search(self, query: str, *, k: int = 10) -> Any:
        """Hybrid search without parsing constraints."""
        return self.kb.search(query, k=k, parse=False)


def home_view(services: Services, user_id: str) -> dict[str, Any]:
    """The user's Home tab: their learning and, for managers and admins, their team."""
    actor, finder = Actor(user_id), CatalogueFinder(services.kb)
    with Session(services.engine) as session:
        try:
            me = acting_employee(session, actor)
        except PermissionDenied:
            return {"type": "home", "blocks": stranger()}
        status = my_status(session=session, actor=actor)
        gaps = skill_gaps(session=session, actor=actor, finder=finder, per_gap=2)
        loose = [b for b in employee_badges(session=session, actor=actor) if b.credential_id is None]
        team = team_status(session=session, actor=actor)
        shared = team_gaps(session=session, actor=actor, finder=finder, per_gap=1, top=5) if team else []
    blocks = my_learning(status, loose, gaps)
    if team or me.is_admin:
        blocks += [{"type": "divider"}, *my_team(team, shared, admin=me.is_admin)]
    return {"type": "home", "blocks": fit(blocks)}


def stranger() -> Blocks:
    """What someone outside the directory sees."""
    return [_header("Hi, I'm Badger 👋"), _text(
        "I help you find partner courses and badges, track your learning and celebrate what you earn. "
        "You're not in Badger's directory yet, so there is nothing to show here. Ask your L&D admin to add you "
        "(`badger org load`); meanwhile you can still ask me for courses in a direct message.")]


def my_learning(status: MyStatus, loose: list[Badge], gaps: SkillGaps) -> Blocks:
    """Enrolments, open nominations, badges and skill gaps."""
    blocks: Blocks = [_header("My learning"), {"type": "actions", "elements": [
        button("🏅 Add a badge", Action("add_badge"), action_id=ADD_BADGE), *_my_data()]}]
    if not (status.active or status.nominations or status.badges or loose):
        blocks.append(_text("No courses yet. Send me a message like *free python course for beginners* to start."))
    if status.active:
        blocks.append(_text("*Learning now*"))
        blocks += [_enrolment(v) for v in status.active[:LIMITS["active"]]]
        blocks += _more(len(status.active) - LIMITS["active"])
    for view in status.nominations[:LIMITS["nominations"]]:
        blocks += _nomination(view)
    blocks += _more(len(status.nominations) - LIMITS["nominations"])
    lines = [_badge_line(v.title, v.provider, v.verified) for v in status.badges]
    lines += [_badge_line(b.achievement, b.issuer, True) for b in loose]
    if lines:
        extra = _more(len(lines) - LIMITS["badges"])
        blocks.append(_text("*Badges*\n" + "\n".join(lines[:LIMITS["badges"]])))
        blocks += extra
    return blocks + _gaps(gaps)


def _my_data() -> Blocks:
    """Issue 17: ask for a copy or the erasure of one's data (an admin confirms)."""
    erase = button("Erase my data", Action("request_rights", {"action": "erase"}),
                   action_id=f"{ACTION_PREFIX}request_rights:erase", style="danger")
    erase["confirm"] = {"title": {"type": "plain_text", "text": "Erase your data?"}, "style": "danger",
                        "text": {"type": "plain_text", "text": "An L&D admin will be asked to erase everything "
                                                               "Badger holds about you. This cannot be undone."},
                        "confirm": {"type": "plain_text", "text": "Ask to erase"},
                        "deny": {"type": "plain_text", "text": "Cancel"}}
    return [button("Copy of my data", Action("request_rights", {"action": "export"}),
                   action_id=f"{ACTION_PREFIX}request_rights:export"), erase]


def my_team(team: list[MemberStatus], shared: list[TeamGap], *, admin: bool) -> Blocks:
    """Who is learning what, requests waiting for a decision, shared gaps, and a Nominate button."""
    blocks: Blocks = [_header("My team"), {"type": "actions", "elements": [
        button("Nominate someone", Action("nominate"), action_id=NOMINATE, style="primary")]}]
    if not team:
        note = " As an L&D admin you can nominate anyone." if admin else ""
        return [*blocks, _text("You have no direct reports in Badger." + note)]
    for member in team[:LIMITS["members"]]:
        lines = [f"• {escape(v.title)} — {_state(v)}" for v in member.active[:5]] or ["• nothing in progress"]
        badges = f"{member.badges} badge{'s' if member.badges != 1 else ''}"
        blocks.append(_text(f"*{escape(member.name)}* ({escape(member.role or 'no role')}) · {badges}\n"
                            + "\n".join(lines)))
    blocks += _more(len(team) - LIMITS["members"])
    pending = [v for m in team for v in m.active if v.state == State.REQUESTED]
    blocks.append(_text(f"*Waiting for your approval* ({len(pending)})" if pending else "_No requests waiting._"))
    for view in pending[:LIMITS["pending"]]:
        args = {"enrolment_id": view.enrolment_id}
        blocks += [_text(f"<@{view.employee_id}> asks for *{escape(view.title)}* ({escape(view.provider)})"),
                   {"type": "actions", "elements": [
                       button("Approve", Action("approve", args), action_id=f"badger:approve:{view.enrolment_id}",
                              style="primary"),
                       button("Decline…", Action("decline", args), action_id=f"badger:decline:{view.enrolment_id}",
                              style="danger")]}]
    blocks += _more(len(pending) - LIMITS["pending"])
    if shared:
        lines = [f"• *{escape(g.skill)}* — {g.count} ({escape(', '.join(g.people[:5]))})"
                 + (f" · try {escape(g.suggestions[0].title)}" if g.suggestions else "") for g in shared]
        blocks.append(_text("*Team skill gaps*\n" + "\n".join(lines)))
    return blocks


def fit(blocks: Blocks, limit: int = MAX_BLOCKS) -> Blocks:
    """The blocks cut to Slack's limit for a Home view, saying how many were left out."""
    if len(blocks) <= limit:
        return blocks
    return [*blocks[: limit - 1], *_more(len(blocks) - limit + 1)]


def _gaps(gaps: SkillGaps) -> Blocks:
    if not gaps.role_known:
        return []
    if not gaps.gaps:
        return [_text(f"*Skill gaps*\nNone: your badges cover every skill a {escape(gaps.role or '')} needs. 🎉")]
    blocks = [_text(f"*Skill gaps* — as a {escape(gaps.role or '')}, {len(gaps.covered)} of {len(gaps.required)} "
                    "skills are covered by badges")]
    for n, gap in enumerate(gaps.gaps[:LIMITS["gaps"]]):
        picks = "\n".join(f"• {escape(s.title)} ({escape(s.provider)})" for s in gap.suggestions)
        block = _text(f"*{escape(gap.skill)}*\n" + (picks or "• nothing in the catalogue yet"))
        if gap.suggestions:
            block["accessory"] = button("Enrol", Action("enrol", {"credential_id": gap.suggestions[0].credential_id}),
                                        action_id=f"badger:enrol:{n}")
        blocks.append(block)
    return blocks + _more(len(gaps.gaps) - LIMITS["gaps"])


def _enrolment(view: EnrolmentView) -> dict[str, Any]:
    block = _text(f"*{escape(view.title)}* · {escape(view.provider)}\n{_state(view)}")
    if view.state in WORKING:
        block["accessory"] = button("Update progress", Action("progress", {"enrolment_id": view.enrolment_id}),
                                    action_id=f"{PROGRESS}:{view.enrolment_id}")
    return block


def _nomination(view: EnrolmentView) -> Blocks:
    by = f"<@{view.nominated_by}> nominated you" if view.nominated_by else "You were nominated"
    why = f": “{escape(view.nomination_reason)}”" if view.nomination_reason else ""
    args = {"enrolment_id": view.enrolment_id}
    return [_text(f"*Nomination* — {by} for *{escape(view.title)}* ({escape(view.provider)}){why}"),
            {"type": "actions", "elements": [
                button("Accept", Action("accept_nomination", args), style="primary",
                       action_id=f"badger:accept_nomination:{view.enrolment_id}"),
                button("Decline", Action("decline_nomination", args), style="danger",
                       action_id=f"badger:decline_nomination:{view.enrolment_id}")]}]


def _state(view: EnrolmentView) -> str:
    text = DESCRIPTIONS.get(view.state, view.state)
    if view.state in WORKING:
        filled = round(view.percent / 10)
        text = f"`{'▓' * filled}{'░' * (10 - filled)}` {view.percent}% · {text}"
    if view.due_date and view.state in (*WORKING, State.REQUESTED):
        late = " ⚠️ overdue" if view.due_date < datetime.now(UTC).date() else ""
        text += f" · due {view.due_date.isoformat()}{late}"
    return text


def _badge_line(title: str, issuer: str, verified: bool) -> str:
    return f"🏅 {escape(title)} ({escape(issuer)})" + (" ✅ verified" if verified else "")


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain(text, 150)}


def _text(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(trim(text, MAX_TEXT))}


def _more(hidden: int) -> Blocks:
    return [{"type": "context", "elements": [mrkdwn(f"and {hidden} more…")]}] if hidden > 0 else []
