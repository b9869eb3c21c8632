"""Shared pytest fixtures for the Badger test suite."""

from __future__ import annotations

import re
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# `tests.servers` must import however pytest is launched (`pytest`, `python -m pytest`, any
# --import-mode, with or without tests/__init__.py): put the repository root on sys.path.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

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
