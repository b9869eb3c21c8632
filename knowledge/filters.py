"""Hard search constraints: given as options or read from the words of a question."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from knowledge.schema import FieldError, normalise_level

# Words that say nothing about which provider is meant.
_GENERIC = {
    "university", "universidad", "universite", "universität", "of", "the", "at", "and", "de", "del", "la",
    "college", "institute", "school", "inc", "llc", "ltd", "skills", "network", "system",
    "for", "in", "&", "online", "foundation", "academy", "learning", "education", "center", "centre",
}
# Common short forms in questions.
_TOKEN_ALIASES = {"uni": ["university"], "cu": ["colorado"], "gcp": ["google", "cloud"], "msft": ["microsoft"]}
_STOP_AFTER_PROVIDER = {"course", "courses", "one", "ones", "class", "classes", "program", "programme", "stuff",
                        "certificate", "certification", "badge", "series", "offering", "offerings", "has", "have"}


@dataclass(frozen=True)
class Filters:
    """Constraints every result must meet; None means unconstrained."""

    providers: tuple[str, ...] = ()
    level: str | None = None
    max_hours: float | None = None
    max_cost: float | None = None
    skill: str | None = None
    format: str | None = None

    def is_empty(self) -> bool:
        """True when nothing is constrained."""
        return not (self.providers or self.level or self.skill or self.format) and (
            self.max_hours is None and self.max_cost is None
        )

    def override(self, other: Filters) -> Filters:
        """These filters with every constraint that `other` sets taking precedence."""
        return replace(
            self,
            providers=other.providers or self.providers,
            level=other.level or self.level,
            max_hours=other.max_hours if other.max_hours is not None else self.max_hours,
            max_cost=other.max_cost if other.max_cost is not None else self.max_cost,
            skill=other.skill or self.skill,
            format=other.format or self.format,
        )

    def describe(self) -> list[str]:
        """Human-readable constraints, e.g. ['free', 'beginner level']."""
        out: list[str] = []
        if self.providers:
            out.append("from " + " or ".join(self.providers))
        if self.level:
            out.append(f"{self.level} level")
        if self.max_cost is not None:
            out.append("free" if self.max_cost == 0 else f"cost ≤ {self.max_cost:g}")
        if self.max_hours is not None:
            out.append(f"≤ {self.max_hours:g} hours")
        if self.skill:
            out.append(f"skill: {self.skill}")
        if self.format:
            out.append(self.format)
        return out

    def chroma_where(self) -> dict[str, Any] | None:
        """The scalar constraints as a Chroma metadata filter (skills are checked afterwards)."""
        clauses: list[dict[str, Any]] = []
        if self.providers:
            clauses.append({"provider": {"$in": list(self.providers)}})
        if self.level:
            clauses.append({"level": self.level})
        if self.max_cost is not None:
            clauses.append({"cost": {"$lte": float(self.max_cost)}})
        if self.max_hours is not None:
            clauses.append({"duration_hours": {"$lte": float(self.max_hours)}})
        if self.format:
            clauses.append({"format": self.format})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def make_filters(
    *, provider: str | None = None, level: str | None = None, max_hours: float | None = None,
    max_cost: float | None = None, skill: str | None = None, format: str | None = None,
) -> Filters:
    """Build Filters from user-supplied options, raising ValueError with a clear message."""
    try:
        level_value = normalise_level(level) if level else None
    except FieldError as exc:
        raise ValueError(str(exc)) from None
    for name, value in (("max-hours", max_hours), ("max-cost", max_cost)):
        if value is not None and value < 0:
            raise ValueError(f"--{name} must not be negative")
    return Filters(
        providers=(provider,) if provider else (), level=level_value, max_hours=max_hours,
        max_cost=max_cost, skill=skill.strip() if skill else None, format=format,
    )


def _tokens(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9&]+", text.lower().replace("'s ", " ").replace("’s ", " "))
    return [token for word in words for token in _TOKEN_ALIASES.get(word, [word])]


@lru_cache(maxsize=4096)
def _provider_keys(provider: str) -> frozenset[str]:
    tokens = [token for token in _tokens(provider) if token not in _GENERIC]
    return frozenset(tokens or _tokens(provider))


_FREE = re.compile(r"\b(free|no[- ]cost|at no charge|without paying)\b", re.I)
_MONEY = re.compile(r"\b(?:under|below|less than|max(?:imum)?|at most|cheaper than|<)\s*[$€£]?\s*(\d+(?:\.\d+)?)\s*"
                    r"(?:\$|usd|dollars|bucks|euros?|eur|pounds)?", re.I)
_HOURS = re.compile(r"\b(?:under|below|less than|max(?:imum)?|at most|within|<)\s*(\d+(?:\.\d+)?)\s*"
                    r"(hours?|hrs?|h|days?|weeks?)\b", re.I)
# Only words that ask for a level are a level filter. A learner describing themselves ("never written a line of
# code", "no experience") is not asking to drop the quarter of the catalogue that states no level at all.
_LEVELS = {
    "beginner": re.compile(r"\b(beginners?|newbies?|novices?|starters?|introductory|total newbie|"
                           r"entry[- ]level)\b", re.I),
    "intermediate": re.compile(r"\bintermediate\b", re.I),
    "advanced": re.compile(r"\b(advanced|expert[- ]level)\b", re.I),
}
_FORMATS = {
    "in-person": re.compile(r"\b(in[- ]person|classroom|on[- ]site)\b", re.I),
    "hybrid": re.compile(r"\bhybrid\b", re.I),
}


def parse_filters(question: str, providers: Iterable[str]) -> Filters:
    """Read hard constraints from a question's words: free, levels, providers, hours, cost, format."""
    max_cost: float | None = None
    if _FREE.search(question):
        max_cost = 0.0
    else:
        for money in _MONEY.finditer(question):
            if not _HOURS.match(question, money.start()):  # "under 5 hours" is a duration, not a price
                max_cost = float(money.group(1))
                break
    max_hours: float | None = None
    if hours := _HOURS.search(question):
        unit = hours.group(2).lower()
        factor = 8.0 if unit.startswith("day") else 40.0 if unit.startswith("week") else 1.0
        max_hours = float(hours.group(1)) * factor
    levels = [level for level, pattern in _LEVELS.items() if pattern.search(question)]
    level = levels[0] if len(levels) == 1 else None
    fmt = next((name for name, pattern in _FORMATS.items() if pattern.search(question)), None)
    return Filters(
        providers=tuple(match_providers(question, providers)), level=level, max_hours=max_hours,
        max_cost=max_cost, format=fmt,
    )


def match_providers(question: str, providers: Iterable[str]) -> list[str]:
    """Providers a question names ("from Google", "princeton's", "the google cloud one", "AWS").

    A provider is named when all its distinctive words appear next to each other, or its
    acronym does; failing that, when its first distinctive word (shared with no other
    provider) appears with a cue such as "from X", "X's" or "X course". When several match,
    the most specific wins ("google cloud" beats "google").
    """
    providers = list(providers)
    words = _tokens(question)
    full: list[tuple[int, str]] = []
    for provider in providers:
        keys = _provider_keys(provider)
        named = keys and all(key in words for key in keys) and (len(keys) == 1 or _adjacent(words, keys))
        if named or ((acronym := _acronym(provider)) and acronym in words):
            full.append((len(keys), provider))
    if full:
        top = max(size for size, _ in full)
        return sorted(provider for size, provider in full if size == top)
    lowered = question.lower()
    firsts: dict[str, list[str]] = {}
    for provider in providers:
        first = next((t for t in _tokens(provider) if t not in _GENERIC), None)
        if first:
            firsts.setdefault(first, []).append(provider)
    return sorted(
        owners[0] for first, owners in firsts.items()
        if len(owners) == 1 and first in words and re.search(_CUE.format(w=re.escape(first)), lowered)
    )


_CUE = (r"(?:\b(?:from|by|at)\s+(?:the\s+)?{w}\b|\b{w}(?:'s|’s)|\b{w}\s+(?:"
        + "|".join(sorted(_STOP_AFTER_PROVIDER)) + r")\b)")


@lru_cache(maxsize=4096)
def _acronym(provider: str) -> str | None:
    words = [w for w in re.findall(r"[A-Za-z]+", provider) if w.lower() not in {"of", "the", "and", "for"}]
    return "".join(w[0] for w in words).lower() if len(words) >= 3 else None


def _adjacent(words: list[str], keys: frozenset[str]) -> bool:
    positions = sorted(i for i, word in enumerate(words) if word in keys)
    span = len(keys)
    return any(positions[j + span - 1] - positions[j] <= span for j in range(len(positions) - span + 1))
