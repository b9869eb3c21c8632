"""The throwaway-server fixtures start real servers that work."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import pytest
import sqlalchemy as sa

from tests.servers import ChromaServer

_seen_databases: list[str] = []


@pytest.mark.parametrize("run", [1, 2])
def test_postgres_url_is_a_fresh_database(postgres_url: str, run: int) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            assert (
                conn.scalar(sa.text("SELECT current_database()")) not in _seen_databases
            )
            _seen_databases.append(conn.scalar(sa.text("SELECT current_database()")))
            # The table would already exist if both runs shared a database.
            conn.execute(
                sa.text(
                    "CREATE TABLE badge (id integer PRIMARY KEY, name text NOT NULL)"
                )
            )
            conn.execute(
                sa.text("INSERT INTO badge VALUES (:id, :name)"),
                {"id": run, "name": f"badge {run}"},
            )
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, name FROM badge")).all()
        assert [tuple(r) for r in rows] == [(run, f"badge {run}")]
        assert engine.dialect.driver == "psycopg"
    finally:
        engine.dispose()


def test_chroma_server_upserts_and_queries(chroma_server: ChromaServer) -> None:
    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=chroma_server.port)
    assert chroma_server.url == f"http://127.0.0.1:{chroma_server.port}"
    assert client.heartbeat() > 0
    name = f"test-{uuid.uuid4().hex[:8]}"
    collection = client.create_collection(name, embedding_function=None)
    unit: list[Sequence[float]] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    probe: list[Sequence[float]] = [[0.1, 0.9, 0.0]]
    collection.upsert(
        ids=["x", "y", "z"],
        embeddings=unit,
        documents=["along x", "along y", "along z"],
        metadatas=[{"axis": "x"}, {"axis": "y"}, {"axis": "z"}],
    )
    result = collection.query(
        query_embeddings=probe,
        n_results=2,
        include=["documents", "metadatas"],
    )
    assert result["ids"] == [["y", "x"]]
    assert result["documents"] == [["along y", "along x"]]
    assert collection.count() == 3
    client.delete_collection(name)
