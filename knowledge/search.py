"""Hybrid catalogue search: BM25 and dense retrieval, fused, under hard filters."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from knowledge.embeddings import Embedder
from knowledge.feedback_rank import FeedbackBoosts, apply_feedback
from knowledge.filters import Filters
from knowledge.index import VectorIndex
from knowledge.language import normalise_language
from knowledge.lexical import LexicalIndex
from knowledge.models import ACTIVE, Credential, HiddenCredential
from knowledge.query import Query, topic_words, understand
from knowledge.rerank import rerank

logger = logging.getLogger(__name__)

Mode = Literal["hybrid", "lexical", "dense"]
# Fusion settings chosen on the dev queries (bench/bench_search_quality.py): the dense ranking
# is the stronger signal on chatty questions, so BM25 votes at half weight.
RRF_K = 10
LEXICAL_WEIGHT = 0.5
DENSE_WEIGHT = 1.0
# When the question says more than what is wanted (who they are, why), the whole question embedded is a
# third ranking at half weight: the want drives retrieval, the rest is context (0.5 and 1.0 tried on dev).
CONTEXT_WEIGHT = 0.5
CANDIDATES = 100
ANY_LANGUAGE = "*"  # the caller wants every language (unless the question asks for one)


@dataclass(frozen=True)
class Entry:
    """A read-only view of one active credential, as search sees it."""

    id: str
    title: str
    provider: str
    description: str
    skills: tuple[str, ...]
    tags: tuple[str, ...]
    level: str | None
    duration_hours: float | None
    cost: float | None
    currency: str
    format: str | None
    url: str | None
    languages: tuple[str, ...] = ()

    def passes(self, filters: Filters) -> bool:
        """True when the entry meets every hard constraint (absent values never pass)."""
        if filters.providers and self.provider not in filters.providers:
            return False
        if filters.level and self.level != filters.level:
            return False
        if filters.max_cost is not None and (self.cost is None or self.cost > filters.max_cost):
            return False
        if filters.max_hours is not None and (self.duration_hours is None or self.duration_hours > filters.max_hours):
            return False
        if filters.format and self.format != filters.format:
            return False
        if filters.skill:
            wanted = filters.skill.casefold()
            return any(wanted in skill.casefold() for skill in self.skills + self.tags)
        return True

    def lexical_text(self) -> str:
        """The text BM25 indexes: title and skills count twice."""
        skills = " ".join(self.skills)
        return " ".join([self.title, self.title, self.provider, skills, skills, " ".join(self.tags), self.description])


@dataclass
class Hit:
    """One search result, with why it matched."""

    id: str
    title: str
    provider: str
    score: float
    level: str | None = None
    duration_hours: float | None = None
    cost: float | None = None
    currency: str = "USD"
    format: str | None = None
    url: str | None = None
    skills: list[str] = field(default_factory=list)
    why: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return asdict(self)


@dataclass
class SearchResult:
    """Ranked hits plus the constraints that were applied."""

    query: str
    hits: list[Hit]
    filters: Filters
    took_ms: float = 0.0
    understood: Query | None = None
    languages: tuple[str, ...] = ()


@dataclass
class _Columns:
    """The filterable fields as arrays, so a constraint is one vectorised comparison."""

    provider: Any
    level: Any
    format: Any
    cost: Any
    hours: Any
    languages: list[tuple[str, ...]] = field(default_factory=list)
    _language_masks: dict[tuple[str, ...], Any] = field(default_factory=dict)

    @classmethod
    def of(cls, entries: list[Entry]) -> _Columns:
        import numpy as np

        def numbers(values: list[float | None]) -> Any:
            return np.array([np.nan if v is None else v for v in values], dtype=np.float64)

        return cls(
            provider=np.array([e.provider for e in entries], dtype=object),
            level=np.array([e.level or "" for e in entries], dtype=object),
            format=np.array([e.format or "" for e in entries], dtype=object),
            cost=numbers([e.cost for e in entries]),
            hours=numbers([e.duration_hours for e in entries]),
            languages=[e.languages for e in entries],
        )

    def in_languages(self, codes: tuple[str, ...], positions: list[int]) -> list[int]:
        """The positions whose entry is in one of these languages or states none."""
        import numpy as np

        mask = self._language_masks.get(codes)
        if mask is None:
            mask = np.array([not langs or any(code in langs for code in codes) for langs in self.languages], dtype=bool)
            self._language_masks[codes] = mask
        chosen = np.asarray(positions, dtype=np.int64)
        result: list[int] = chosen[mask[chosen]].tolist()
        return result

    def allowed(self, filters: Filters, entries: list[Entry]) -> list[int]:
        """Positions of the entries that meet every constraint (absent values never pass)."""
        import numpy as np

        mask = np.ones(len(entries), dtype=bool)
        if filters.providers:
            mask &= np.isin(self.provider, list(filters.providers))
        if filters.level:
            mask &= self.level == filters.level
        if filters.format:
            mask &= self.format == filters.format
        with np.errstate(invalid="ignore"):
            if filters.max_cost is not None:
                mask &= self.cost <= filters.max_cost
            if filters.max_hours is not None:
                mask &= self.hours <= filters.max_hours
        positions = [int(i) for i in np.flatnonzero(mask)]
        if filters.skill:
            positions = [i for i in positions if entries[i].passes(filters)]
        return positions


@dataclass
class _Snapshot:
    version: tuple[int, str]
    entries: list[Entry]
    columns: _Columns
    lexical: LexicalIndex
    by_id: dict[str, int]
    providers: list[str]
    ids: list[str]


class CatalogueSearcher:
    """Searches the active catalogue; reloads its in-memory view when the catalogue changes."""

    def __init__(
        self, *, engine: Engine, index: VectorIndex, embedder: Callable[[], Embedder], recheck_seconds: float = 1.0,
    ) -> None:
        self._engine = engine
        self._recheck_seconds = recheck_seconds
        self._checked_at = 0.0
        self._index = index
        self._embedder_factory = embedder
        self._snapshot: _Snapshot | None = None
        self._lock = threading.Lock()
        self._model_checked = False
        # Set by the application to re-rank by answer feedback; None keeps the plain ranking.
        self.feedback: Callable[[], FeedbackBoosts | None] | None = None

    def _version(self, session: Session) -> tuple[int, str]:
        count, latest = session.exec(
            select(func.count(), func.max(Credential.updated_at)).where(Credential.status == ACTIVE)
        ).one()
        hidden, hidden_latest = session.exec(select(func.count(), func.max(HiddenCredential.hidden_at))).one()
        return int(count), f"{latest}|{hidden}|{hidden_latest}"

    def snapshot(self) -> _Snapshot:
        """The current in-memory view of the active catalogue, rebuilt if it changed."""
        with self._lock:
            # Another process may load the catalogue; look at most once per recheck interval.
            if self._snapshot is not None and time.monotonic() - self._checked_at < self._recheck_seconds:
                return self._snapshot
            return self._refresh()

    def _refresh(self) -> _Snapshot:
        with Session(self._engine) as session:
            version = self._version(session)
            self._checked_at = time.monotonic()
            if self._snapshot is None or self._snapshot.version != version:
                rows = session.exec(
                    select(Credential).where(Credential.status == ACTIVE).order_by(col(Credential.id))
                ).all()
                hidden = set(session.exec(select(HiddenCredential.credential_id)).all())
                entries = [_entry(row) for row in rows if row.id not in hidden]
                self._snapshot = _Snapshot(
                    version=version,
                    entries=entries,
                    columns=_Columns.of(entries),
                    lexical=LexicalIndex([entry.lexical_text() for entry in entries]),
                    by_id={entry.id: i for i, entry in enumerate(entries)},
                    providers=sorted({entry.provider for entry in entries}),
                    ids=[entry.id for entry in entries],
                )
            return self._snapshot

    def providers(self) -> list[str]:
        """Every provider in the active catalogue."""
        return self.snapshot().providers

    def get(self, credential_id: str) -> Entry | None:
        """One active entry by id."""
        snap = self.snapshot()
        position = snap.by_id.get(credential_id)
        return None if position is None else snap.entries[position]

    def search(
        self, query: str | Query, *, k: int = 10, filters: Filters | None = None, parse: bool = True,
        mode: Mode = "hybrid", language: str | None = None,
    ) -> SearchResult:
        """The k best active credentials for the query that meet every constraint.

        `language` is the person's language: a hard filter unless the question asks for another or is
        written in another (entries that state no language always pass).
        """
        started = time.perf_counter()
        snap = self.snapshot()
        understood = query if isinstance(query, Query) else understand(query, snap.providers, parse=parse)
        understood = understood.with_filters(filters)
        if parse:
            understood = understood.spelled(snap.lexical.correct)
        applied = understood.filters
        languages = _languages(understood, language)
        allowed = snap.columns.allowed(applied, snap.entries)
        if languages:
            allowed = snap.columns.in_languages(languages, allowed)
        text = understood.retrieval_text()
        ranked_lexical: list[int] = []
        ranked_dense: list[int] = []
        if allowed and mode in ("hybrid", "lexical"):
            ranked_lexical = self._lexical(snap, text, allowed)
        ranked_context: list[int] = []
        if allowed and mode in ("hybrid", "dense"):
            deep = bool(applied.skill) or len(allowed) < len(snap.entries) * 0.8
            ranked_dense = self._dense(snap, text, applied, set(allowed), deep=deep)
            if mode == "hybrid" and understood.has_context():
                ranked_context = self._dense(snap, understood.context_text(), applied, set(allowed), deep=deep)
        fused = rerank(_fuse(ranked_lexical, ranked_dense, ranked_context), understood, snap.entries)
        if self.feedback is not None and fused:
            fused = apply_feedback(fused, understood, snap.ids, self.feedback())
        query_terms = _query_terms(topic_words(understood.retrieval_text()), snap.lexical)
        hits = [self._hit(snap.entries[i], score, query_terms, applied, snap.lexical) for i, score in fused[:k]]
        return SearchResult(query=understood.text, hits=hits, filters=applied, understood=understood,
                            languages=languages, took_ms=(time.perf_counter() - started) * 1000)

    def _lexical(self, snap: _Snapshot, query: str, allowed: list[int]) -> list[int]:
        import numpy as np

        scores = snap.lexical.scores(query)
        candidates = np.asarray(allowed)
        picked = candidates[scores[candidates] > 0]
        order = picked[np.argsort(-scores[picked], kind="stable")]
        return [int(i) for i in order[:CANDIDATES]]

    def _dense(self, snap: _Snapshot, query: str, applied: Filters, allowed: set[int], *, deep: bool) -> list[int]:
        embedder = self._embedder_factory()
        if not self._model_checked:
            self._index.check_model(embedder.name)
            self._model_checked = True
        vector = embedder.embed_query(query)
        # Over-fetch when some constraints are checked here rather than in Chroma.
        depth = CANDIDATES * (4 if deep else 1) + 20
        ranked: list[int] = []
        for hit in self._index.query(vector, n=depth, where=applied.chroma_where()):
            position = snap.by_id.get(hit.id)
            if position is not None and position in allowed:
                ranked.append(position)
        return ranked[:CANDIDATES]

    def _hit(self, entry: Entry, score: float, terms: dict[str, str], applied: Filters, lexical: LexicalIndex) -> Hit:
        return Hit(
            id=entry.id, title=entry.title, provider=entry.provider, score=round(score, 6), level=entry.level,
            duration_hours=entry.duration_hours, cost=entry.cost, currency=entry.currency, format=entry.format,
            url=entry.url, skills=list(entry.skills), why=_why(entry, terms, applied, lexical),
        )


def _languages(understood: Query, person: str | None) -> tuple[str, ...]:
    """The languages results may be in: the asked one; else the person's, and the question's own when it differs."""
    if understood.language_asked and understood.language:
        return (understood.language,)
    if person == ANY_LANGUAGE:
        return ()
    return tuple(dict.fromkeys(code for code in (person, understood.language) if code))


def _fuse(lexical: list[int], dense: list[int], context: Sequence[int] = ()) -> list[tuple[int, float]]:
    """Weighted reciprocal rank fusion of the rankings (a single ranking passes through)."""
    scores: dict[int, float] = {}
    for ranking, weight in ((lexical, LEXICAL_WEIGHT), (dense, DENSE_WEIGHT), (context, CONTEXT_WEIGHT)):
        for rank, position in enumerate(ranking, start=1):
            scores[position] = scores.get(position, 0.0) + weight / (RRF_K + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


# Words that say nothing about why an entry fits (constraints are explained separately).
_NOT_A_REASON = {
    "course", "courses", "class", "classes", "learn", "learning", "want", "need", "training", "free", "beginner",
    "beginners", "intermediate", "advanced", "level", "program", "certificate", "something", "anything", "take",
}


def _query_terms(query: str, lexical: LexicalIndex) -> dict[str, str]:
    """Each stemmed query term mapped to the word the user typed."""
    terms: dict[str, str] = {}
    for word in re.findall(r"[\w+#.]+", query.lower()):
        if word.strip(".") in _NOT_A_REASON:
            continue
        for term in lexical.terms(word.strip(".")):
            terms.setdefault(term, word.strip("."))
    return terms


def _why(entry: Entry, terms: dict[str, str], applied: Filters, lexical: LexicalIndex) -> list[str]:
    reasons: list[str] = []
    skills = [skill for skill in entry.skills + entry.tags if terms.keys() & set(lexical.terms(skill))]
    if skills:
        reasons.append("skills: " + ", ".join(skills[:5]))
    for name, text in (("title", entry.title), ("description", entry.description)):
        shared = sorted({terms[t] for t in terms.keys() & set(lexical.terms(text))})
        if shared:
            reasons.append(f"{name} mentions " + ", ".join(shared[:5]))
    if not reasons:
        reasons.append("close in meaning to the question")
    reasons.extend(applied.describe())
    return reasons


def _entry(row: Credential) -> Entry:
    return Entry(
        id=row.id, title=row.title, provider=row.provider, description=row.description,
        skills=tuple(row.skills or ()), tags=tuple(row.tags or ()), level=row.level,
        duration_hours=row.duration_hours, cost=row.cost, currency=row.currency, format=row.format, url=row.url,
        languages=normalise_language(row.language),
    )
