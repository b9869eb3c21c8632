"""Record turns: enrol, progress, complete, status, gaps, team, nominate, approve/decline, talent search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skills import enrolment as enrolments
from skills import gaps as insight
from skills import nominations, progress, status
from skills.assistant.catalogue_turns import resolve_credential
from skills.assistant.context import TurnContext
from skills.assistant.messages import Action, Button, Message, say
from skills.assistant.replies import (
    badges_message,
    gaps_message,
    status_message,
    talent_message,
    team_gaps_message,
    team_message,
)
from skills.assistant.resolve import find_people, is_pointer, match, position
from skills.models import State
from skills.views import EnrolmentView


class NoParseFinder:
    """The catalogue search for skills' suggestions: the skill name as is, no filters read from it."""

    def __init__(self, ctx: TurnContext) -> None:
        self.kb = ctx.kb

    def search(self, query: str, *, k: int = 10) -> Any:
        """Hybrid search without parsing constraints from the words."""
        return self.kb.search(query, k=k, parse=False)


@dataclass(frozen=True)
class _Named:
    id: str
    title: str
    provider: str


def enrol(ctx: TurnContext, ref: str) -> Message:
    """Enrol the acting user in the credential they point at."""
    actor = ctx.require_actor()
    entry = resolve_credential(ctx, ref, verb="enrol")
    if isinstance(entry, Message):
        return entry
    done = enrolments.enrol(session=ctx.session, actor=actor, credential_id=entry.id, policy=ctx.policy)
    ctx.state.update(focus=entry.id)
    if done.state == State.REQUESTED:
        text = (f"*{entry.title}* needs your manager's approval, so I've sent them the request "
                f"(#{done.id}). I'll let you know when they decide.")
    else:
        text = (f"You're enrolled in *{entry.title}* ({entry.provider}), #{done.id}. "
                "Tell me how it goes, e.g. *I'm 20% through it*.")
    message = say(text, intent="enrol", buttons=[Button("My status", Action("status"))])
    message.citations = [entry.id]
    return message


def _my_enrolment(ctx: TurnContext, ref: str, verb: str, percent: int | None) -> EnrolmentView | Message:
    mine = status.my_status(session=ctx.session, actor=ctx.require_actor())
    working = [v for v in mine.active if v.state in (State.APPROVED, State.IN_PROGRESS)]
    if not working:
        return say("You have nothing in progress. Find a course and enrol first.", intent=verb)
    focus = ctx.recall("focus")
    if is_pointer(ref) or not ref:
        picked = [v for v in working if v.credential_id == focus] or (working if len(working) == 1 else [])
    elif (index := position(ref, len(ctx.shown()))) is not None:
        picked = [v for v in working if v.credential_id == ctx.shown()[index]]
    else:
        named = {v.credential_id: v for v in working}
        found = match(ref, [_Named(v.credential_id, v.title, v.provider) for v in working])
        picked = [named[f.id] for f in found]
    if len(picked) == 1:
        return picked[0]
    args = {"percent": percent} if percent is not None else {}
    buttons = [Button(v.title[:60], Action(verb, {"enrolment_id": v.enrolment_id, **args})) for v in working[:5]]
    return say("Which of your courses?", intent=verb, buttons=buttons)


def update(ctx: TurnContext, ref: str, percent: int) -> Message:
    """Record a percentage on one of the user's courses (100% completes it)."""
    view = _my_enrolment(ctx, ref, "progress", percent)
    if isinstance(view, Message):
        return view
    return record_progress(ctx, view.enrolment_id, percent)


def record_progress(ctx: TurnContext, enrolment_id: int, percent: int) -> Message:
    """Progress by enrolment id (a button, or a resolved reference)."""
    actor = ctx.require_actor()
    if percent >= 100:
        return record_complete(ctx, enrolment_id)
    done = progress.update_progress(session=ctx.session, actor=actor, enrolment_id=enrolment_id, percent=percent)
    ctx.state.update(focus=done.credential_id)
    entry = ctx.kb.get(done.credential_id)
    title = f"*{entry.title}*" if entry is not None else f"#{done.id}"
    return say(f"Noted: {done.percent}% through {title}. Keep going!", intent="progress")


def finish(ctx: TurnContext, ref: str) -> Message:
    """Mark one of the user's courses complete."""
    view = _my_enrolment(ctx, ref, "complete", None)
    if isinstance(view, Message):
        return view
    return record_complete(ctx, view.enrolment_id)


def record_complete(ctx: TurnContext, enrolment_id: int) -> Message:
    """Completion by enrolment id."""
    done = progress.complete(session=ctx.session, actor=ctx.require_actor(), enrolment_id=enrolment_id)
    return say(f"🎉 Well done: #{done.id} is complete. Import your badge when it arrives so your team can see it.",
               intent="complete")


def my_status(ctx: TurnContext) -> Message:
    """My enrolments, nominations and badges."""
    return status_message(status.my_status(session=ctx.session, actor=ctx.require_actor()))


def my_gaps(ctx: TurnContext) -> Message:
    """My role's skills not yet covered, with suggestions."""
    found = insight.skill_gaps(session=ctx.session, actor=ctx.require_actor(), finder=NoParseFinder(ctx))
    message = gaps_message(found)
    if message.citations:  # "the first one" now means the first gap's top suggestion
        ctx.state.update(shown=message.citations, seen=message.citations)
    return message


def team(ctx: TurnContext, *, pending_only: bool = False) -> Message:
    """The manager's dashboard, or only the requests waiting for them."""
    members = status.team_status(session=ctx.session, actor=ctx.require_actor())
    return team_message(members, pending_only=pending_only)


def team_gaps(ctx: TurnContext) -> Message:
    """The skills missing across the manager's team."""
    return team_gaps_message(insight.team_gaps(session=ctx.session, actor=ctx.require_actor(),
                                               finder=NoParseFinder(ctx)))


def decide(ctx: TurnContext, enrolment_id: int, *, approve: bool, reason: str = "") -> Message:
    """Approve or decline a request (a reason is needed to decline)."""
    actor = ctx.require_actor()
    if approve:
        done = enrolments.approve(session=ctx.session, actor=actor, enrolment_id=enrolment_id, reason=reason or None)
        return say(f"Approved #{done.id}. I'll tell them.", intent="approve")
    if not reason.strip():
        return say(f"Please say why, so they know: *decline {enrolment_id} because ...*", intent="decline")
    done = enrolments.decline(session=ctx.session, actor=actor, enrolment_id=enrolment_id, reason=reason)
    return say(f"Declined #{done.id}. I'll pass on your reason.", intent="decline")


def answer_nomination(ctx: TurnContext, enrolment_id: int, *, accept: bool) -> Message:
    """Accept or decline a nomination for me."""
    actor = ctx.require_actor()
    if accept:
        nominations.accept_nomination(session=ctx.session, actor=actor, enrolment_id=enrolment_id)
        return say(f"Accepted: #{enrolment_id} is approved. Good luck!", intent="accept_nomination")
    nominations.decline_nomination(session=ctx.session, actor=actor, enrolment_id=enrolment_id)
    return say(f"Declined nomination #{enrolment_id}.", intent="decline_nomination")


def nominate(ctx: TurnContext, person: str, ref: str, reason: str) -> Message:
    """Nominate a report for a credential, with a reason."""
    actor = ctx.require_actor()
    people = find_people(ctx.session, person)
    if not people:
        return say(f"I can't find anyone called {person!r} in Badger's directory.", intent="nominate")
    if len(people) > 1:
        names = ", ".join(f"{p.name} ({p.user_id})" for p in people[:5])
        return say(f"Which one: {names}? Use their full name.", intent="nominate")
    entry = resolve_credential(ctx, ref, verb="details")
    if isinstance(entry, Message):
        return entry
    if not reason.strip():
        return say(f"Why are you nominating {people[0].name}? Say: *nominate {people[0].name} for "
                   f"{ref} because ...*", intent="nominate")
    done = nominations.nominate(session=ctx.session, actor=actor, employee_id=people[0].user_id,
                                credential_id=entry.id, reason=reason)
    message = say(f"Nominated {people[0].name} for *{entry.title}* (#{done.id}); they'll get a DM.", intent="nominate")
    message.citations = [entry.id]
    return message


def talent(ctx: TurnContext, skill: str) -> Message:
    """Who has earned a badge teaching a skill."""
    return talent_message(skill, insight.talent_search(session=ctx.session, actor=ctx.require_actor(), skill=skill))


def badges(ctx: TurnContext, person: str = "") -> Message:
    """Badges earned by the acting user, or by someone they manage (an admin: anyone)."""
    actor = ctx.require_actor()
    employee_id: str | None = None
    if person.strip():
        people = find_people(ctx.session, person)
        if len(people) != 1:
            return say(f"I can't tell who {person!r} is in Badger's directory.", intent="badges")
        employee_id = people[0].user_id
    return badges_message(status.my_status(session=ctx.session, actor=actor, employee_id=employee_id),
                          own=employee_id in (None, actor.user_id))
