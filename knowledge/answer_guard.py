"""The guard on model-written answers: cited ids were retrieved, and every stated fact matches the catalogue."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Protocol

from pydantic import BaseModel, Field

from knowledge.schema import LEVELS, Described


class Facts(Described, Protocol):
    """The catalogue facts of one entry (a search `Hit` or an `Entry`)."""

    @property
    def level(self) -> str | None: ...
    @property
    def duration_hours(self) -> float | None: ...
    @property
    def cost(self) -> float | None: ...
    @property
    def currency(self) -> str: ...


class CitedFact(BaseModel):
    """One credential the reply mentions, with the facts it states about it."""

    id: str = Field(description="The credential id exactly as given in the catalogue block.")
    provider: str | None = Field(default=None, description="The provider, copied from the entry.")
    level: str | None = Field(default=None, description="The level, copied from the entry.")
    duration_hours: float | None = Field(default=None, description="The hours, copied from the entry.")
    cost: float | None = Field(default=None, description="The cost, copied from the entry (0 = free).")


class GroundedReply(BaseModel):
    """The reply to the user, citing every credential it mentions."""

    text: str = Field(description="The reply to the user (Slack mrkdwn, *bold* titles, short).")
    citations: list[CitedFact] = Field(default_factory=list, description="Every credential mentioned, in order.")


class GuardFailed(ValueError):
    """A model-written answer states something the catalogue does not support."""


_NUMBER = r"(\d[\d,]*(?:\.\d+)?)"
_MONEY = re.compile(rf"[$€£]\s?{_NUMBER}|{_NUMBER}\s?(?:usd|eur|gbp|dollars?|euros?|pounds?)\b", re.I)
_HOURS = re.compile(rf"{_NUMBER}\s?(?:hours?|hrs?|h)\b", re.I)
_FREE = re.compile(r"\bfree\b", re.I)
_BOLD = re.compile(r"\*([^*\n]+)\*")


def _numbers(text: str) -> set[float]:
    return {float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(0.51, 0.05 * b)


def _value(match: re.Match[str]) -> float:
    return float(next(g for g in match.groups() if g).replace(",", ""))


def check(
    reply: GroundedReply, retrieved: Mapping[str, Facts], *, question: str = "", providers: Iterable[str] = (),
) -> list[str]:
    """Every problem with the reply (empty when it is grounded): unknown ids, wrong or unsupported facts."""
    problems: list[str] = []
    if not reply.text.strip():
        problems.append("empty reply")
    cited: list[Facts] = []
    for fact in reply.citations:
        entry = retrieved.get(fact.id)
        if entry is None:
            problems.append(f"cites {fact.id!r}, which was not retrieved")
            continue
        cited.append(entry)
        if fact.provider is not None and fact.provider.casefold() != entry.provider.casefold():
            problems.append(f"{fact.id}: provider {fact.provider!r} is not {entry.provider!r}")
        if fact.level is not None and (fact.level.casefold() != (entry.level or "").casefold()):
            problems.append(f"{fact.id}: level {fact.level!r} is not {entry.level!r}")
        if fact.cost is not None and (entry.cost is None or not _close(fact.cost, entry.cost)):
            problems.append(f"{fact.id}: cost {fact.cost:g} is not {entry.cost!r}")
        if fact.duration_hours is not None and (
            entry.duration_hours is None or not _close(fact.duration_hours, entry.duration_hours)
        ):
            problems.append(f"{fact.id}: duration {fact.duration_hours:g} h is not {entry.duration_hours!r}")
    problems.extend(_text_problems(reply.text, cited, question=question, providers=providers))
    return problems


def _text_problems(text: str, cited: list[Facts], *, question: str, providers: Iterable[str]) -> list[str]:
    problems: list[str] = []
    asked = _numbers(question)
    costs = [c.cost for c in cited if c.cost is not None]
    hours = [c.duration_hours for c in cited if c.duration_hours is not None]
    for match in _MONEY.finditer(text):
        amount = _value(match)
        if amount not in asked and not any(_close(amount, cost) for cost in costs):
            problems.append(f"states a price of {amount:g} that no cited entry has")
    if _FREE.search(text.replace("feel free", "")) and 0 not in costs and not _FREE.search(question):
        problems.append("says free, but no cited entry is free")
    for match in _HOURS.finditer(text):
        amount = _value(match)
        if amount not in asked and not any(_close(amount, h) for h in hours):
            problems.append(f"states {amount:g} hours that no cited entry takes")
    lowered, question_lowered = text.casefold(), question.casefold()
    levels = {(c.level or "").casefold() for c in cited}
    for level in LEVELS:
        if re.search(rf"\b{level}", lowered) and level not in levels and level not in question_lowered:
            problems.append(f"says {level}, but no cited entry is at that level")
    stripped = lowered
    for name in sorted({c.provider.casefold() for c in cited}, key=len, reverse=True):
        stripped = stripped.replace(name, " ")
    for provider in providers:
        name = provider.casefold()
        if len(name) >= 4 and re.search(rf"\b{re.escape(name)}\b", stripped) and name not in question_lowered:
            problems.append(f"names the provider {provider!r}, but no cited entry is from it")
    titles = [c.title.casefold() for c in cited]
    for bold in _BOLD.findall(text):
        phrase = bold.strip().casefold()
        if len(phrase) >= 16 and not any(phrase in title or title in phrase for title in titles):
            problems.append(f"names {bold.strip()[:60]!r}, which is not a cited credential")
    return problems
