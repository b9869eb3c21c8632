"""The agent's tools: skills bound to the acting user. Reads run; changes only become buttons the user confirms."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from core.errors import BadgerError
from knowledge.filters import Filters
from knowledge.search import Entry
from skills import gaps as insight
from skills import status
from skills.assistant.context import TurnContext
from skills.assistant.messages import Action, Button
from skills.assistant.record_turns import NoParseFinder
from skills.assistant.resolve import find_people
from skills.models import Employee

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool


def entry_json(entry: Entry, description_chars: int = 400) -> dict[str, Any]:
    """An entry as the model sees it (description truncated)."""
    return {"id": entry.id, "title": entry.title, "provider": entry.provider, "level": entry.level,
            "duration_hours": entry.duration_hours, "cost": entry.cost, "currency": entry.currency,
            "skills": list(entry.skills[:8]), "description": entry.description[:description_chars]}


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


class Toolbox:
    """The tools for one turn. The acting user is fixed here; no tool takes a user to act as."""

    def __init__(self, ctx: TurnContext) -> None:
        self.ctx = ctx
        self.retrieved: dict[str, Entry] = {}
        self.proposals: list[Button] = []
        self.used: list[str] = []
        self.last_query: str | None = None
        self._tools: dict[str, BaseTool] = {}

    def who(self) -> dict[str, str]:
        """The acting user's name, role and whether they manage anyone, for the system prompt."""
        me = self.ctx.session.get(Employee, self.ctx.actor.user_id) if self.ctx.actor else None
        if me is None:
            return {"name": "an employee", "role": "unknown role", "manager": ""}
        return {"name": me.name, "role": me.role or "no role",
                "manager": ", an L&D admin" if me.is_admin else ""}

    def _remember(self, entry: Entry | None) -> dict[str, Any] | None:
        if entry is None:
            return None
        self.retrieved[entry.id] = entry
        return entry_json(entry)

    def search_catalogue(self, query: str, max_cost: float | None = None, level: str | None = None,
                         max_hours: float | None = None) -> str:
        """Search the catalogue for credentials (optionally at most a cost, a level, at most some hours)."""
        self.last_query = query
        filters = Filters(max_cost=max_cost, level=level if level in ("beginner", "intermediate", "advanced") else None,
                          max_hours=max_hours)
        hits = self.ctx.kb.search(query, k=5, filters=filters).hits
        return _dumps([self._remember(self.ctx.kb.get(hit.id)) for hit in hits])

    def credential_details(self, credential_id: str) -> str:
        """Everything the catalogue says about one credential, by id."""
        found = self._remember(self.ctx.kb.get(credential_id))
        return _dumps(found) if found else "No credential with that id."

    def my_status(self) -> str:
        """The user's enrolments (with enrolment ids and percent), nominations and badges."""
        mine = status.my_status(session=self.ctx.session, actor=self.ctx.require_actor())
        for view in [*mine.active, *mine.nominations, *mine.badges]:
            self._remember(self.ctx.kb.get(view.credential_id))
        rows = [{"enrolment_id": v.enrolment_id, "credential_id": v.credential_id, "title": v.title, "state": v.state,
                 "percent": v.percent, "due": v.due_date} for v in [*mine.active, *mine.nominations, *mine.badges]]
        return _dumps(rows)

    def my_skill_gaps(self) -> str:
        """The skills the user's role needs that no earned badge covers, with suggested credential ids."""
        found = insight.skill_gaps(session=self.ctx.session, actor=self.ctx.require_actor(),
                                   finder=NoParseFinder(self.ctx))
        for gap in found.gaps:
            for suggestion in gap.suggestions:
                self._remember(self.ctx.kb.get(suggestion.credential_id))
        return _dumps({"role": found.role, "covered": found.covered,
                       "gaps": [{"skill": g.skill, "suggestions": [s.credential_id for s in g.suggestions]}
                                for g in found.gaps]})

    def team_status(self) -> str:
        """The user's direct reports, their active enrolments (with ids and states) and badge counts."""
        members = status.team_status(session=self.ctx.session, actor=self.ctx.require_actor())
        return _dumps([{"name": m.name, "role": m.role, "badges": m.badges,
                        "active": [{"enrolment_id": v.enrolment_id, "title": v.title, "state": v.state,
                                    "percent": v.percent} for v in m.active]} for m in members])

    def talent_search(self, skill: str) -> str:
        """People who earned a badge teaching a skill (managers and admins only)."""
        holders = insight.talent_search(session=self.ctx.session, actor=self.ctx.require_actor(), skill=skill)
        return _dumps([{"name": h.name, "team": h.team, "credential": h.title, "verified": h.verified}
                       for h in holders])

    def propose_enrol(self, credential_id: str) -> str:
        """Offer the user a button to enrol themselves in a credential."""
        entry = self.ctx.kb.get(credential_id)
        if entry is None:
            return "No credential with that id; nothing proposed."
        self._remember(entry)
        self.proposals.append(Button(f"Enrol in {entry.title[:50]}", Action("enrol", {"credential_id": entry.id}),
                                     "primary"))
        return "A confirm button is shown to the user."

    def propose_progress(self, enrolment_id: int, percent: int) -> str:
        """Offer the user a button to record progress (0-100) on one of their enrolments."""
        if not 0 <= percent <= 100:
            return "Percent must be 0-100; nothing proposed."
        self.proposals.append(Button(f"Record {percent}% on #{enrolment_id}",
                                     Action("progress", {"enrolment_id": enrolment_id, "percent": percent}), "primary"))
        return "A confirm button is shown to the user."

    def propose_nomination(self, employee: str, credential_id: str, reason: str) -> str:
        """Offer the user (a manager) a button to nominate a report, by name, for a credential, with a reason."""
        people = find_people(self.ctx.session, employee)
        entry = self.ctx.kb.get(credential_id)
        if len(people) != 1 or entry is None or not reason.strip():
            return "Need exactly one known person, a credential id from the catalogue and a reason; nothing proposed."
        self._remember(entry)
        args = {"employee_id": people[0].user_id, "credential_id": entry.id, "reason": reason.strip()[:500]}
        self.proposals.append(Button(f"Nominate {people[0].name}", Action("nominate", args), "primary"))
        return "A confirm button is shown to the user."

    def propose_decision(self, enrolment_id: int, approve: bool, reason: str = "") -> str:
        """Offer the user (a manager) a button to approve or decline a request (declining needs a reason)."""
        if not approve and not reason.strip():
            return "Declining needs a reason; nothing proposed."
        verb = "Approve" if approve else "Decline"
        args: dict[str, Any] = {"enrolment_id": enrolment_id, **({} if approve else {"reason": reason.strip()[:500]})}
        self.proposals.append(Button(f"{verb} #{enrolment_id}", Action(verb.lower(), args),
                                     "primary" if approve else "danger"))
        return "A confirm button is shown to the user."

    def tools(self) -> list[BaseTool]:
        """The tools as LangChain tools (schemas from the signatures and docstrings)."""
        from langchain_core.tools import StructuredTool

        if not self._tools:
            for fn in (self.search_catalogue, self.credential_details, self.my_status, self.my_skill_gaps,
                       self.team_status, self.talent_search, self.propose_enrol, self.propose_progress,
                       self.propose_nomination, self.propose_decision):
                self._tools[fn.__name__] = StructuredTool.from_function(fn)
        return list(self._tools.values())

    def call(self, name: str, args: dict[str, Any]) -> str:
        """Run a tool the model asked for; domain errors and bad arguments go back to it as text."""
        tool = self._tools.get(name)
        if tool is None:
            return f"There is no tool called {name}."
        self.used.append(name)
        try:
            return str(tool.invoke(args))
        except BadgerError as exc:
            return f"Refused: {exc}"
        except ValidationError:
            return "Those arguments don't fit the tool."
