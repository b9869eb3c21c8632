"""Shared pytest fixtures for the Badger test suite."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest

# `pythonpath = ["."]` in pyproject.toml puts the repository root on sys.path for `tests.*` imports.
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack
from tests.servers import ChromaServer, PostgresCluster

# =========================================================================== real servers
# Throwaway PostgreSQL cluster and Chroma server (see tests/servers.py). They start lazily,
# once per session, only when a test asks for them, and never skip: a missing binary fails.


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster for the whole session."""
    cluster = PostgresCluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(
    postgres_cluster: PostgresCluster, request: pytest.FixtureRequest
) -> Iterator[str]:
    """SQLAlchemy URL of a fresh, empty database for this test (dropped afterwards)."""
    slug = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower()).strip("_")[:40]
    name = f"t_{slug}_{uuid.uuid4().hex[:8]}"
    url = postgres_cluster.create_database(name)
    try:
        yield url
    finally:
        postgres_cluster.drop_database(name)


@pytest.fixture(scope="session")
def chroma_server() -> Iterator[ChromaServer]:
    """A Chroma server for the whole session (empty at start; use unique collection names)."""
    server = ChromaServer()
    try:
        yield server
    finally:
        server.stop()


# =========================================================================== fakes


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """A fake Slack Web API on loopback, stopped afterwards."""
    fake = FakeSlack()
    yield fake
    fake.stop()


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A fake OpenAI-compatible server on loopback, stopped afterwards."""
    server = FakeOpenAI()
    yield server
    server.stop()
