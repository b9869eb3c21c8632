"""Grounded answers: data (text, cited ids, next actions) composed from retrieved catalogue entries only."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from knowledge.filters import Filters
from knowledge.query import Query, understand
from knowledge.search import Hit, SearchResult

if TYPE_CHECKING:
    from knowledge.base import KnowledgeBase

logger = logging.getLogger(__name__)

ActionKind = Literal["enrol", "details", "more_like"]
Reorder = Callable[[list[Hit]], list[Hit]]
_STRONG_REASON = ("skills:", "title mentions", "description mentions")


@dataclass(frozen=True)
class NextAction:
    """A suggested next step on one cited credential (a button in Slack, a number in the terminal)."""

    kind: ActionKind
    credential_id: str
    label: str


@dataclass
class Answer:
    """A grounded answer: text, the credential ids it cites (in order), and suggested next actions."""

    text: str
    citations: list[str]
    actions: list[NextAction] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    topic: str = ""
    fits: bool = True
    mode: Literal["offline", "llm"] = "offline"
    fallback: str | None = None  # why the LLM answer was replaced by the offline one

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        data = asdict(self)
        data["hits"] = [hit.as_dict() for hit in self.hits]
        return data


def format_cost(cost: float | None, currency: str) -> str:
    """'free', '49 USD' or 'price not listed'."""
    if cost is None:
        return "price not listed"
    return "free" if cost == 0 else f"{cost:g} {currency}"


def format_hours(hours: float | None) -> str:
    """'14 h' or 'hours not listed'."""
    return "hours not listed" if hours is None else f"{hours:g} h"


def facts(hit: Hit) -> str:
    """One line of catalogue facts: provider · level · hours · cost."""
    cost = format_cost(hit.cost, hit.currency)
    return " · ".join([hit.provider, hit.level or "any level", format_hours(hit.duration_hours), cost])


def topic_of(question: str | Query) -> str:
    """What a question wants, in plain words ('' when nothing is left)."""
    return (question if isinstance(question, Query) else understand(question)).topic


def fits(hit: Hit) -> bool:
    """True when the hit shares words with the question (not only closeness in meaning)."""
    return any(reason.startswith(_STRONG_REASON) for reason in hit.why)


def next_actions(hits: list[Hit]) -> list[NextAction]:
    """Enrol and details for each hit, and more like the first."""
    actions: list[NextAction] = []
    for rank, hit in enumerate(hits, start=1):
        actions.append(NextAction("enrol", hit.id, f"Enrol in #{rank}"))
        actions.append(NextAction("details", hit.id, f"Details #{rank}"))
    if hits:
        actions.append(NextAction("more_like", hits[0].id, "More like #1"))
    return actions


def _lines(hits: list[Hit]) -> list[str]:
    lines = []
    for rank, hit in enumerate(hits, start=1):
        reasons = [r for r in hit.why if r.startswith(_STRONG_REASON)] or hit.why[:1]
        lines.append(f"{rank}. *{hit.title}* — {facts(hit)}" + (f"\n   Why: {'; '.join(reasons)}" if reasons else ""))
    return lines


def compose_offline(question: str, result: SearchResult, *, closest: SearchResult | None = None) -> Answer:
    """Compose an answer from the retrieved entries only; say plainly when nothing fits."""
    topic = result.understood.topic if result.understood is not None else topic_of(question)
    constraints = ", ".join(result.filters.describe())
    about = f"*{topic}*" if topic else "that"
    if not result.hits:
        near = closest.hits if closest is not None else []
        text = f"Nothing in the catalogue on {about}" + (f" ({constraints})" if constraints else "") + "."
        if near:
            text += " The closest without those limits are:\n" + "\n".join(_lines(near))
        return Answer(text=text, citations=[h.id for h in near], actions=next_actions(near), hits=list(near),
                      topic=topic, fits=False)
    fitting = [hit for hit in result.hits if fits(hit)]
    if topic and not fitting:
        text = f"Nothing in the catalogue is on {about}; the closest are:\n" + "\n".join(_lines(result.hits))
        return Answer(text=text, citations=[h.id for h in result.hits], actions=next_actions(result.hits),
                      hits=list(result.hits), topic=topic, fits=False)
    hits = fitting if topic else list(result.hits)
    noun = "credential" if len(hits) == 1 else "credentials"
    head = f"{len(hits)} {noun}" + (f" on {about}" if topic else "") + (f" ({constraints})" if constraints else "")
    text = f"Here {'is' if len(hits) == 1 else 'are'} {head}:\n" + "\n".join(_lines(hits))
    return Answer(text=text, citations=[h.id for h in hits], actions=next_actions(hits), hits=hits, topic=topic)


def retrieve(kb: KnowledgeBase, question: str, *, k: int = 5, filters: Filters | None = None,
             language: str | None = None) -> SearchResult:
    """Search for a question (filters read from its words plus those given) in the person's language."""
    return kb.search(question, k=k, filters=filters, language=language)


def answer_offline(kb: KnowledgeBase, question: str, *, k: int = 5, filters: Filters | None = None,
                   language: str | None = None, reorder: Reorder | None = None) -> Answer:
    """Search and compose the offline answer (with the closest unconstrained entries when nothing passes).

    `reorder` re-orders a deeper list of candidates (the LLM re-ranker) before the top k are kept.
    """
    result = retrieve(kb, question, k=max(k, 20) if reorder else k, filters=filters, language=language)
    if reorder is not None and result.hits:
        result.hits = reorder(result.hits)[:k]
    closest = None
    if not result.hits and not result.filters.is_empty():
        closest = kb.search(question, k=min(k, 3), parse=False, language=language)
    return compose_offline(question, result, closest=closest)
