"""The knowledge base as one object: what `skills/` and `bot/` call (no CLI in between)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

from sqlalchemy.engine import Engine

from core.db import get_engine
from core.settings import Settings
from knowledge.catalogue import (
    CatalogueStats,
    LoadReport,
    Progress,
    catalogue_stats,
    load_catalogue,
    reindex,
    repair,
)
from knowledge.embeddings import Embedder, get_embedder
from knowledge.filters import Filters
from knowledge.index import VectorIndex
from knowledge.loaders import FieldMap
from knowledge.query import Query
from knowledge.search import CatalogueSearcher, Entry, Mode, SearchResult


class KnowledgeBase:
    """Catalogue loading and search over the configured database, index and embedder."""

    def __init__(self, settings: Settings, *, engine: Engine | None = None) -> None:
        self.settings = settings
        self.engine = engine or get_engine(settings)
        self.model_name = settings.resolved_embedding_model

    @cached_property
    def index(self) -> VectorIndex:
        """The Chroma index, opened on first use."""
        return VectorIndex(self.settings)

    def embedder(self) -> Embedder:
        """The embedder (the model itself loads on first use)."""
        return get_embedder(self.settings)

    @cached_property
    def searcher(self) -> CatalogueSearcher:
        """The hybrid searcher, shared by every caller in this process."""
        return CatalogueSearcher(engine=self.engine, index=self.index, embedder=self.embedder,
                                 recheck_seconds=self.settings.catalogue_recheck_seconds)

    def load(
        self, paths: Sequence[Path], *, field_map: FieldMap | None = None, replace: bool = False,
        skip_invalid: bool = False, progress: Progress | None = None,
    ) -> LoadReport:
        """Load catalogue files; see `knowledge.catalogue.load_catalogue`."""
        return load_catalogue(
            engine=self.engine, index=self.index, embedder=self.embedder, model_name=self.model_name,
            paths=paths, field_map=field_map, replace=replace, skip_invalid=skip_invalid, progress=progress,
        )

    def reindex(self, *, progress: Progress | None = None) -> int:
        """Rebuild the dense index with the configured embedding model."""
        return reindex(engine=self.engine, index=self.index, embedder=self.embedder,
                       model_name=self.model_name, progress=progress)

    def repair(self) -> int:
        """Re-embed whatever an interrupted load left out of the index."""
        return repair(engine=self.engine, index=self.index, embedder=self.embedder, model_name=self.model_name)

    def stats(self) -> CatalogueStats:
        """Counts by provider and level, the embedding model and index size."""
        return catalogue_stats(engine=self.engine, index=self.index, model_name=self.model_name)

    def search(
        self, query: str | Query, *, k: int = 10, filters: Filters | None = None, parse: bool = True,
        mode: Mode = "hybrid", language: str | None = None,
    ) -> SearchResult:
        """Hybrid search with hard filters (given, and parsed from the question unless parse=False).

        `language` is the person's language (default BADGER_DEFAULT_LANGUAGE; "*" for every language).
        """
        return self.searcher.search(query, k=k, filters=filters, parse=parse, mode=mode,
                                    language=language or self.settings.badger_default_language)

    def get(self, credential_id: str) -> Entry | None:
        """One active catalogue entry by id."""
        return self.searcher.get(credential_id)
