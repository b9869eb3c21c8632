"""Shared pytest fixtures for the Badger test suite."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator

import pytest

from core.settings import Settings

# `pythonpath = ["."]` in pyproject.toml puts the repository root on sys.path for `tests.*` imports.
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack
from tests.servers import ChromaServer, PostgresCluster

# =========================================================================== isolation
# Every setting a test relies on is set by that test. Whatever the developer or CI exported
# (DATABASE_URL, OPENAI_API_KEY, a real SLACK_BOT_TOKEN, ...) must never reach a test: catalogue tests
# with `replace=True` would wipe that database, and LLM tests would call that model.

# Families cleared whole, beside the variables derived from the Settings fields (new fields are covered
# automatically; these catch variables the libraries read themselves, e.g. OPENAI_BASE_URL, CHROMA_*).
_SETTING_PREFIXES = ("BADGER_", "OPENAI_", "SLACK_", "CHROMA_")


def setting_variables() -> set[str]:
    """Environment variables that could change a Settings value (names, aliases) in this environment."""
    names = {"DATABASE_URL"}
    for name, field in Settings.model_fields.items():
        names.add(name.upper())
        for alias in (field.alias, field.validation_alias):
            if isinstance(alias, str):
                names.add(alias.upper())
    names.update(k for k in os.environ if k.upper().startswith(_SETTING_PREFIXES))
    return names


@pytest.fixture(scope="session", autouse=True)
def _no_settings_from_the_environment() -> Iterator[None]:
    """Clear every Badger setting from the environment for the whole session (subprocesses inherit this)."""
    with pytest.MonkeyPatch.context() as mp:
        for name in setting_variables():
            mp.delenv(name, raising=False)
        yield


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
