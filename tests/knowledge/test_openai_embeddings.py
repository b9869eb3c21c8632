"""OpenAI embeddings when configured, through a fake OpenAI-compatible server on loopback."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from core.errors import ConfigurationError
from knowledge.base import KnowledgeBase
from knowledge.embeddings import get_embedder
from tests.fakes.openai_server import FakeOpenAI
from tests.knowledge.conftest import FIVE, make_settings

MakeKB = Callable[..., KnowledgeBase]


def test_catalogue_embeds_through_the_openai_api_and_records_the_model(
    make_kb: MakeKB, fake_openai: FakeOpenAI
) -> None:
    kb = make_kb(embedding_backend="openai", openai_api_key="sk-test-123", openai_base_url=fake_openai.base_url)
    assert kb.load([FIVE]).embedded == 5
    path, headers, body = fake_openai.requests[0]
    assert path == "/v1/embeddings" and body["model"] == "text-embedding-3-small" and len(body["input"]) == 5
    assert {k.lower(): v for k, v in headers.items()}["authorization"] == "Bearer sk-test-123"
    assert kb.index.built_with() == "text-embedding-3-small"
    assert kb.search("site reliability", k=5).hits

    local = make_kb()  # switching back to the bundled model without a rebuild is refused, with the fix named
    with pytest.raises(ConfigurationError, match=r"text-embedding-3-small.*badger catalogue reindex"):
        local.search("site reliability")


def test_openai_backend_needs_a_key(make_kb: MakeKB) -> None:
    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        make_kb(embedding_backend="openai")


def test_llm_mode_with_local_embeddings_shares_one_encoder(fake_openai: FakeOpenAI) -> None:
    """The chat server's URL does not make a second local encoder (each would load the model again)."""
    plain = get_embedder(make_settings())
    llm = get_embedder(make_settings(openai_api_key="sk-test-123", openai_base_url=fake_openai.base_url))
    assert llm is plain
    remote = {"embedding_backend": "openai", "openai_api_key": "sk-test-123"}
    one = get_embedder(make_settings(openai_base_url=fake_openai.base_url, **remote))
    other = get_embedder(make_settings(openai_base_url="http://127.0.0.1:9/v1", **remote))
    assert one is not other  # OpenAI embeddings from two servers stay apart
