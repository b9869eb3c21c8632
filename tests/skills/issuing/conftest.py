"""Fixtures for issuing: a key file, issuer settings, a self-issued catalogue credential and Dana's email."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from core.settings import Settings
from knowledge.models import Credential
from skills.issuing.keyring import init_keys
from skills.issuing.service import Issuing
from skills.recognition import ShoutoutPolicy
from tests.skills.factories import Org, credential, set_email

PUBLIC = "https://badges.example.org"


def issuer_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings of an issuer whose key is in tmp_path (made on first use)."""
    key = tmp_path / "issuer-keys.json"
    if not key.exists():
        init_keys(key)
    values: dict[str, object] = {
        "badger_data_dir": tmp_path, "badger_issuer_name": "Example Ltd", "badger_public_url": PUBLIC,
        "badger_issuer_url": "https://example.org", "badger_issuer_email": "learning@example.org",
        "badger_issuer_key_path": key, **overrides}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def add_self_credential(org: Org, cid: str = "lead-101", **extra: object) -> None:
    """A programme the organisation runs itself: `issued_by: self`."""
    with Session(org.engine) as session:
        row: Credential = credential(cid, "Leading Teams", skills=["Active Listening", "Data Analysis", "Zen"])
        row.description = "Our in-house leadership programme."
        row.badge_image = "https://example.org/badges/lead.png"
        row.extra = {"issued_by": "self", **extra}
        session.add(row)
        session.commit()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """An issuer (did:key) with a fresh key."""
    return issuer_settings(tmp_path)


@pytest.fixture
def policy(settings: Settings) -> ShoutoutPolicy:
    """Shoutouts as usual, and issuing as configured."""
    return ShoutoutPolicy(issuing=Issuing.from_settings(settings))


@pytest.fixture
def self_org(org: Org) -> Org:
    """The standard org with a self-issued credential and Dana's email."""
    add_self_credential(org)
    set_email(org.engine, "UDANA", "Dana@Example.org")
    return org
