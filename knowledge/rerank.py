"""Context from the question re-orders the fused candidates: level, what they already know, what they don't want."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from knowledge.lexical import terms
from knowledge.query import Query

if TYPE_CHECKING:
    from knowledge.search import Entry

# Bounded factors: context moves a course a few places, it never outweighs what the question is about.
LEVEL_MATCH = 1.15
LEVEL_FAR = 0.85
ALREADY_KNOWN = 0.6
NEGATED = 0.5
ROLE_TIE_BREAK = 1e-4
_LEVEL_ORDER = {"beginner": 0, "intermediate": 1, "advanced": 2}


def rerank(fused: list[tuple[int, float]], query: Query, entries: Sequence[Entry]) -> list[tuple[int, float]]:
    """The fused ranking adjusted by the self-description and negations (unchanged when there are none)."""
    about = query.about_me
    if about.is_empty() and not query.negations:
        return fused
    known = [set(terms(skill)) for skill in about.known]
    known_terms = set().union(*known) if known else set()
    want_terms = set(terms(query.want)) - known_terms
    negated = [set(terms(phrase)) for phrase in query.negations]
    role_terms = set(terms(about.role)) if about.role else set()
    adjusted: list[tuple[int, float]] = []
    for position, score in fused:
        entry = entries[position]
        taught = set(terms(" ".join((entry.title, *entry.skills))))
        factor = 1.0
        if about.level and entry.level:
            gap = abs(_LEVEL_ORDER.get(entry.level, 1) - _LEVEL_ORDER[about.level])
            factor *= LEVEL_MATCH if gap == 0 else LEVEL_FAR if gap == 2 else 1.0
        if known_terms and taught & known_terms and not (taught & want_terms):
            factor *= ALREADY_KNOWN
        if any(phrase and phrase <= taught for phrase in negated):
            factor *= NEGATED
        bonus = ROLE_TIE_BREAK * len(role_terms & taught) / (1 + len(role_terms)) if role_terms else 0.0
        adjusted.append((position, score * factor + bonus))
    return sorted(adjusted, key=lambda item: (-item[1], item[0]))
