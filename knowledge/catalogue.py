"""Catalogue operations: load (incremental, all-or-nothing, crash-safe), reindex, stats."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from knowledge.embeddings import Embedder
from knowledge.index import VectorIndex
from knowledge.loaders import FieldMap, LoadIssue, parse_files
from knowledge.models import ACTIVE, RETIRED, Credential, utcnow
from knowledge.schema import CredentialRecord, embed_text

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)
EMBED_CHUNK = 64  # vectors are written (and a killed load resumes) in steps of this size


class CatalogueLoadError(Exception):
    """The load was refused; nothing changed. `issues` says what is wrong and where."""

    def __init__(self, issues: list[LoadIssue]) -> None:
        noun = "problem" if len(issues) == 1 else "problems"
        super().__init__(f"catalogue not loaded: {len(issues)} {noun} found; nothing was changed")
        self.issues = issues


@dataclass
class LoadReport:
    """What a load did."""

    files: int = 0
    records: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    reactivated: int = 0
    retired: int = 0
    embedded: int = 0
    index_removed: int = 0
    skipped: list[LoadIssue] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        data = {k: v for k, v in self.__dict__.items() if k != "skipped"}
        data["skipped"] = [str(issue) for issue in self.skipped]
        return data


def _index_meta(source: CredentialRecord | Credential, embed_hash: str) -> dict[str, Any]:
    return {
        "embed_hash": embed_hash, "provider": source.provider, "level": source.level,
        "cost": source.cost, "duration_hours": source.duration_hours, "format": source.format,
    }


def _apply(row: Credential, record: CredentialRecord, source: str) -> None:
    for name, value in record.as_dict().items():
        setattr(row, name, value)
    row.content_hash = record.content_hash
    row.embed_hash = record.embed_hash
    row.source = source
    row.status = ACTIVE
    row.retired_at = None
    row.updated_at = utcnow()


def load_catalogue(
    *, engine: Engine, index: VectorIndex, embedder: Callable[[], Embedder], model_name: str,
    paths: Sequence[Path], field_map: FieldMap | None = None, replace: bool = False,
    skip_invalid: bool = False, progress: Progress | None = None,
) -> LoadReport:
    """Validate, then sync database and index; refuse the whole load on any invalid record unless told to skip.

    Order matters for crash safety: vectors are written first (keyed by id, tagged with the
    hash of the text they embed, so a rerun re-embeds nothing already done), the database
    changes in one transaction, and vectors of retired entries go last. Search only returns
    ids active in the database, so a kill at any point leaves the previous catalogue searchable.
    """
    index.check_model(model_name)
    parsed = parse_files(list(paths), field_map)
    if parsed.issues and not skip_invalid:
        raise CatalogueLoadError(parsed.issues)
    report = LoadReport(files=len(paths), records=len(parsed.records), skipped=list(parsed.issues))
    incoming = {record.id: (str(raw.source.resolve()), record) for raw, record in parsed.records}
    sources = {str(path.resolve()) for path in paths}

    with Session(engine) as session:
        existing = {row.id: row for row in session.exec(select(Credential)).all()}
        retire_ids = [
            row.id for row in existing.values()
            if replace and row.status == ACTIVE and row.source in sources and row.id not in incoming
        ]
        active_after = {i for i, row in existing.items() if row.status == ACTIVE and i not in retire_ids}
        active_after |= set(incoming)
        report.embedded, report.index_removed = _sync_index(
            index=index, embedder=embedder, model_name=model_name,
            incoming=incoming, existing=existing, active_after=active_after, progress=progress,
        )
        for credential_id, (source, record) in incoming.items():
            row = existing.get(credential_id)
            if row is None:
                row = Credential(id=credential_id, title=record.title, provider=record.provider,
                                 content_hash="", embed_hash="")
                report.added += 1
            elif row.status != ACTIVE:
                report.reactivated += 1
            elif row.content_hash == record.content_hash and row.source == source:
                report.unchanged += 1
                continue
            else:
                report.updated += 1
            _apply(row, record, source)
            session.add(row)
        now = utcnow()
        for credential_id in retire_ids:
            row = existing[credential_id]
            row.status, row.retired_at, row.updated_at = RETIRED, now, now
            session.add(row)
        report.retired = len(retire_ids)
        session.commit()
    removed = _drop_stale_vectors(index, engine)
    report.index_removed += removed
    logger.info("catalogue load: %s", {k: v for k, v in report.as_dict().items() if k != "skipped"})
    return report


def _sync_index(
    *, index: VectorIndex, embedder: Callable[[], Embedder], model_name: str,
    incoming: dict[str, tuple[str, CredentialRecord]], existing: dict[str, Credential],
    active_after: set[str], progress: Progress | None,
) -> tuple[int, int]:
    """Embed what the index lacks or has stale; refresh filter metadata. Returns (embedded, removed)."""
    state = index.state()
    to_embed: list[tuple[str, str, dict[str, Any]]] = []  # id, text, metadata
    to_update: list[tuple[str, dict[str, Any]]] = []
    for credential_id in sorted(active_after):
        if credential_id in incoming:
            record: CredentialRecord | Credential = incoming[credential_id][1]
            text = incoming[credential_id][1].embed_text
        else:
            record = existing[credential_id]
            text = embed_text(record.title, record.provider, record.skills, record.tags, record.description)
        ehash = record.embed_hash
        meta = _index_meta(record, ehash)
        have = state.get(credential_id)
        if have is None or have.get("embed_hash") != ehash:
            to_embed.append((credential_id, text, meta))
        elif have != {k: v for k, v in meta.items() if v is not None}:
            to_update.append((credential_id, meta))
    if to_embed:
        model = embedder()
        index.mark_model(model_name)
        total = len(to_embed)
        if progress:
            progress("embedding", 0, total)
        for start in range(0, total, EMBED_CHUNK):
            chunk = to_embed[start : start + EMBED_CHUNK]
            vectors = model.embed_documents([text for _, text, _ in chunk])
            index.upsert([i for i, _, _ in chunk], vectors, [meta for _, _, meta in chunk])
            if progress:
                progress("embedding", min(start + EMBED_CHUNK, total), total)
    if to_update:
        index.update_metadata([i for i, _ in to_update], [meta for _, meta in to_update])
    return len(to_embed), 0


def _drop_stale_vectors(index: VectorIndex, engine: Engine) -> int:
    """Remove vectors whose credential is not active (retired, or left by an interrupted load)."""
    with Session(engine) as session:
        active = set(session.exec(select(Credential.id).where(Credential.status == ACTIVE)).all())
    stale = [credential_id for credential_id in index.state() if credential_id not in active]
    if stale:
        index.delete(stale)
    return len(stale)


def reindex(
    *, engine: Engine, index: VectorIndex, embedder: Callable[[], Embedder], model_name: str,
    progress: Progress | None = None,
) -> int:
    """Rebuild the dense index from the database with the configured model; returns how many were embedded."""
    index.reset()
    index.mark_model(model_name)
    with Session(engine) as session:
        rows = session.exec(select(Credential).where(Credential.status == ACTIVE).order_by(col(Credential.id))).all()
        embedded, _ = _sync_index(
            index=index, embedder=embedder, model_name=model_name, incoming={},
            existing={row.id: row for row in rows}, active_after={row.id for row in rows}, progress=progress,
        )
    return embedded


def repair(*, engine: Engine, index: VectorIndex, embedder: Callable[[], Embedder], model_name: str) -> int:
    """Bring the index in line with the database after an interrupted load; returns vectors written."""
    index.check_model(model_name)
    with Session(engine) as session:
        rows = session.exec(select(Credential).where(Credential.status == ACTIVE)).all()
        embedded, _ = _sync_index(
            index=index, embedder=embedder, model_name=model_name, incoming={},
            existing={row.id: row for row in rows}, active_after={row.id for row in rows}, progress=None,
        )
    _drop_stale_vectors(index, engine)
    return embedded


@dataclass
class CatalogueStats:
    """Counts for `badger catalogue stats`."""

    active: int
    retired: int
    by_provider: dict[str, int]
    by_level: dict[str, int]
    embedding_model: str | None
    configured_model: str
    index_vectors: int
    index_location: str
    index_bytes: int | None

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return dict(self.__dict__)


def catalogue_stats(*, engine: Engine, index: VectorIndex, model_name: str) -> CatalogueStats:
    """Counts by provider and level, the embedding model and the index size."""
    with Session(engine) as session:
        rows = session.exec(select(Credential.provider, Credential.level, Credential.status)).all()
    active = [(provider, level) for provider, level, status in rows if status == ACTIVE]
    location = Path(index.location)
    size = sum(p.stat().st_size for p in location.rglob("*") if p.is_file()) if location.exists() else None
    return CatalogueStats(
        active=len(active),
        retired=sum(1 for *_, status in rows if status == RETIRED),
        by_provider=dict(Counter(provider for provider, _ in active).most_common()),
        by_level=dict(Counter(level or "unspecified" for _, level in active).most_common()),
        embedding_model=index.built_with(),
        configured_model=model_name,
        index_vectors=index.count(),
        index_location=index.location,
        index_bytes=size,
    )
