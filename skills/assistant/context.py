"""What one turn works with: the catalogue, a session, the acting user, the thread's memory."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from knowledge.filters import Filters
from skills.access import Actor
from skills.assistant.memory import Turn, last_state
from skills.errors import PermissionDenied
from skills.models import Employee
from skills.policy import Policy

if TYPE_CHECKING:
    from knowledge.answer_llm import Answerer
    from knowledge.base import KnowledgeBase


@dataclass
class TurnContext:
    """One turn: `state` collects what the next turns may refer back to (shown ids, query, filters, focus)."""

    kb: KnowledgeBase
    session: Session
    actor: Actor | None
    turns: list[Turn]
    answerer: Answerer
    policy: Policy | None = None
    state: dict[str, Any] = field(default_factory=dict)

    def recall(self, name: str) -> Any:
        """The newest remembered value of a state entry in this conversation."""
        return last_state(self.turns, name)

    def shown(self) -> list[str]:
        """The credential ids last listed to the user, in order."""
        value = self.recall("shown")
        return [str(v) for v in value] if isinstance(value, list) else []

    def require_actor(self) -> Actor:
        """The acting user, or a polite refusal for an anonymous one."""
        if self.actor is None:
            raise PermissionDenied("I don't know who you are, so I can only search the catalogue. "
                                   "(In the terminal: `badger chat --as YOUR_SLACK_ID`.)")
        return self.actor

    def language(self) -> str | None:
        """The acting person's language (their org row), or None for BADGER_DEFAULT_LANGUAGE."""
        if self.actor is None:
            return None
        person = self.session.get(Employee, self.actor.user_id)
        return person.language if person is not None else None

    def history(self) -> list[tuple[str, str]]:
        """The last turns as (user, assistant) text pairs."""
        return [(t.user_text, t.reply_text) for t in self.turns[-4:]]


def filters_to_dict(filters: Filters) -> dict[str, Any]:
    """Filters as JSON-able data."""
    data = asdict(filters)
    data["providers"] = list(filters.providers)
    return data


def filters_from_dict(data: Any) -> Filters:
    """Filters from remembered data (empty when absent or malformed)."""
    if not isinstance(data, dict):
        return Filters()
    try:
        return Filters(providers=tuple(data.get("providers") or ()), level=data.get("level"),
                       max_hours=data.get("max_hours"), max_cost=data.get("max_cost"), skill=data.get("skill"),
                       format=data.get("format"))
    except TypeError:
        return Filters()
