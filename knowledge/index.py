"""The dense index: a Chroma collection that mirrors the active catalogue's embeddings."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from core.errors import ConfigurationError
from core.settings import Settings

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

logger = logging.getLogger(__name__)

MODEL_KEY = "embedding_model"
# Chroma caps how many records one call may carry; stay well below it.
CHROMA_BATCH = 1000


@dataclass(frozen=True)
class DenseHit:
    """One nearest neighbour: credential id and cosine similarity."""

    id: str
    similarity: float


def _metadata(meta: dict[str, Any]) -> dict[str, Any]:
    # Chroma metadata values must be str, int, float or bool; absent values are left out.
    return {key: value for key, value in meta.items() if value is not None}


class VectorIndex:
    """Embedded Chroma (PersistentClient) or a Chroma server (HttpClient), one collection."""

    def __init__(self, settings: Settings) -> None:
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if settings.chroma_url:
            parsed = urlparse(settings.chroma_url)
            if not parsed.hostname:
                raise ConfigurationError(f"CHROMA_URL {settings.chroma_url!r} is not a URL like http://host:8000")
            try:
                self._client: Any = chromadb.HttpClient(
                    host=parsed.hostname, port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                    ssl=parsed.scheme == "https", settings=chroma_settings,
                )
            except Exception as exc:  # chromadb raises bare ValueError/ConnectionError here
                raise ConfigurationError(f"cannot reach the Chroma server at {settings.chroma_url}: {exc}") from exc
            self.location = settings.chroma_url
        else:
            settings.chroma_path.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)
            self.location = str(settings.chroma_path)
        self._name = settings.chroma_collection
        self._collection: Any = None

    @property
    def collection(self) -> Any:
        """The Chroma collection, created on first use (never with a default embedding function)."""
        if self._collection is None:
            self._collection = self._client.get_or_create_collection(
                self._name, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
        return self._collection

    def built_with(self) -> str | None:
        """The embedding model that built the index, or None when it is empty."""
        if self.count() == 0:
            return None
        metadata = self.collection.metadata or {}
        value = metadata.get(MODEL_KEY)
        return str(value) if value else None

    def check_model(self, model: str) -> None:
        """Raise a clear error when the index was built with another embedding model."""
        built = self.built_with()
        if built is not None and built != model:
            raise ConfigurationError(
                f"The search index was built with the embedding model {built!r} but the settings ask for "
                f"{model!r}; rebuild it with `badger catalogue reindex`."
            )

    def mark_model(self, model: str) -> None:
        """Record which embedding model the vectors come from."""
        metadata = dict(self.collection.metadata or {})
        if metadata.get(MODEL_KEY) != model:
            metadata[MODEL_KEY] = model
            metadata.pop("hnsw:space", None)  # immutable once created; Chroma rejects it in modify()
            self.collection.modify(metadata=metadata)

    def count(self) -> int:
        """How many vectors the index holds."""
        return int(self.collection.count())

    def state(self) -> dict[str, dict[str, Any]]:
        """Every indexed id with its metadata (embed hash and filter fields)."""
        result: dict[str, dict[str, Any]] = {}
        total = self.count()
        for offset in range(0, total, CHROMA_BATCH * 10):
            page = self.collection.get(include=["metadatas"], limit=CHROMA_BATCH * 10, offset=offset)
            for id_, meta in zip(page["ids"], page["metadatas"] or [], strict=False):
                result[id_] = dict(meta or {})
        return result

    def upsert(self, ids: Sequence[str], vectors: NDArray[np.float32], metadatas: Sequence[dict[str, Any]]) -> None:
        """Insert or replace vectors with their metadata."""
        for start in range(0, len(ids), CHROMA_BATCH):
            end = start + CHROMA_BATCH
            self.collection.upsert(
                ids=list(ids[start:end]),
                embeddings=vectors[start:end],
                metadatas=[_metadata(meta) for meta in metadatas[start:end]],
            )

    def update_metadata(self, ids: Sequence[str], metadatas: Sequence[dict[str, Any]]) -> None:
        """Replace metadata without touching vectors."""
        for start in range(0, len(ids), CHROMA_BATCH):
            end = start + CHROMA_BATCH
            self.collection.update(ids=list(ids[start:end]), metadatas=[_metadata(m) for m in metadatas[start:end]])

    def delete(self, ids: Sequence[str]) -> None:
        """Remove vectors."""
        for start in range(0, len(ids), CHROMA_BATCH):
            self.collection.delete(ids=list(ids[start : start + CHROMA_BATCH]))

    def reset(self) -> None:
        """Drop the collection (for a rebuild with another model)."""
        try:
            self._client.delete_collection(self._name)
        except Exception:  # noqa: BLE001 - chromadb raises NotFoundError or ValueError across versions
            logger.debug("collection %s did not exist", self._name)
        self._collection = None

    def query(self, vector: NDArray[np.float32], *, n: int, where: dict[str, Any] | None) -> list[DenseHit]:
        """The n nearest vectors that satisfy the metadata filter."""
        total = self.count()
        if total == 0:
            return []
        result = self.collection.query(
            query_embeddings=[vector], n_results=min(n, total), where=where or None, include=["distances"]
        )
        ids = result["ids"][0]
        distances = (result.get("distances") or [[0.0] * len(ids)])[0]
        return [DenseHit(id=i, similarity=1.0 - float(d)) for i, d in zip(ids, distances, strict=False)]

    def forget_person(self, user_id: str) -> int:
        """Delete every vector, in any collection, whose metadata names this person (`user_id`); how many."""
        removed = 0
        for listed in self._client.list_collections():
            collection = self._client.get_collection(getattr(listed, "name", listed), embedding_function=None)
            found = collection.get(where={"user_id": user_id}, include=[])["ids"]
            if found:
                collection.delete(ids=found)
                removed += len(found)
        return removed
