"""The same load and search against a Chroma server and PostgreSQL (deployments that outgrow one machine)."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import text

from knowledge.base import KnowledgeBase
from knowledge.filters import make_filters
from tests.knowledge.conftest import EVAL, make_settings
from tests.servers import ChromaServer


def test_load_and_search_on_postgres_and_chroma_server(
    postgres_url: str, chroma_server: ChromaServer, tmp_path: Path
) -> None:
    settings = make_settings(
        badger_data_dir=tmp_path / "unused", database_url=postgres_url, chroma_url=chroma_server.url,
        chroma_collection=f"cat-{uuid.uuid4().hex[:8]}",
    )
    kb = KnowledgeBase(settings)
    report = kb.load([EVAL])
    assert (report.added, report.embedded) == (187, 187)
    assert kb.engine.dialect.name == "postgresql"
    with kb.engine.connect() as conn:
        assert conn.execute(text("select count(*) from credential")).scalar() == 187
    assert kb.index.count() == 187 and kb.index.location == chroma_server.url
    assert not (tmp_path / "unused" / "chroma").exists()

    again = KnowledgeBase(settings)  # a second replica sees the same catalogue
    assert again.load([EVAL]).embedded == 0
    hits = again.search("the google cloud one about SLIs / SLOs and error budgets", k=3).hits
    assert "site-reliability-engineering-slos" in [hit.id for hit in hits]
    filtered = again.search("cloud", k=10, filters=make_filters(provider="Google Cloud", max_cost=0)).hits
    assert filtered and all(hit.provider == "Google Cloud" and hit.cost == 0 for hit in filtered)
