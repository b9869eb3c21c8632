"""A stand-in for the catalogue searcher: case-insensitive substring search over the credential table."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from knowledge.models import ACTIVE, Credential


@dataclass(frozen=True)
class FoundCredential:
    """One hit, with the fields skills read."""

    id: str
    title: str
    provider: str
    score: float


@dataclass(frozen=True)
class Found:
    """Hits, best first."""

    hits: list[FoundCredential] = field(default_factory=list)


class SubstringFinder:
    """Scores an active credential by how many of its title and skills contain the query."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.queries: list[str] = []

    def search(self, query: str, *, k: int = 10) -> Found:
        """Credentials whose title or skills contain the query, case-insensitively."""
        self.queries.append(query)
        wanted = query.casefold()
        with Session(self.engine) as session:
            rows = session.exec(
                select(Credential).where(Credential.status == ACTIVE).order_by(col(Credential.id))
            )
            scored = []
            for row in rows:
                score = sum(wanted in text.casefold() for text in [row.title, *row.skills])
                if score:
                    scored.append(FoundCredential(row.id, row.title, row.provider, float(score)))
        scored.sort(key=lambda hit: -hit.score)
        return Found(scored[:k])
