"""Fixtures for the badge tests: a loopback server standing in for issuers, and a fetcher pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from skills.badges.fetch import Fetcher
from tests.skills.badges.badge_helpers import DATA, Loopback, loopback


@pytest.fixture(scope="session")
def issuers() -> Iterator[Loopback]:
    """One loopback server serving the fixtures' did:web documents and status lists."""
    with loopback() as server:
        server.serve_dir("/dc/vc-test-fixtures/statusLists", DATA / "statusLists")
        server.serve_dir("/dc/vc-test-fixtures/dids", DATA / "dids")
        server.serve_dir(
            "/raw/digitalcredentials/verifier-core/refs/heads/main/src/test-fixtures/status",
            DATA / "statusLists" / "didkey-ed25519Signature2020",
        )
        yield server


@pytest.fixture
def fetcher(issuers: Loopback) -> Fetcher:
    """A fetcher whose issuer origins point at the loopback server."""
    return Fetcher(
        timeout=2.0,
        origins={
            "https://digitalcredentials.github.io": issuers.base + "/dc",
            "https://raw.githubusercontent.com": issuers.base + "/raw",
            "https://example.edu": issuers.base + "/edu",
            "https://example.org": issuers.base + "/org",
        },
    )
