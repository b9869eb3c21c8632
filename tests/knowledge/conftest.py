"""Fixtures for catalogue tests: knowledge bases on real SQLite/PostgreSQL and real Chroma."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from knowledge.base import KnowledgeBase

DATA = Path(__file__).resolve().parent.parent / "data"
EVAL = DATA / "catalogue_eval.jsonl"
DEMO = Path(__file__).resolve().parents[2] / "knowledge" / "demo" / "catalogue.yaml"
FIVE = DATA / "formats" / "five.yaml"


def make_settings(**overrides: Any) -> Settings:
    """Settings isolated from .env (tests/conftest.py clears every setting from the environment)."""
    return Settings(_env_file=None, **overrides)  # type: ignore[call-arg]


@pytest.fixture
def make_kb(tmp_path: Path) -> Callable[..., KnowledgeBase]:
    """Build knowledge bases in this test's temp dir (same dir → same database and index)."""

    def _make(**overrides: Any) -> KnowledgeBase:
        overrides.setdefault("badger_data_dir", tmp_path / "data")
        return KnowledgeBase(make_settings(**overrides))

    return _make


@pytest.fixture(scope="session")
def eval_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The 187-course evaluation catalogue, loaded once for the search tests."""
    kb = KnowledgeBase(make_settings(badger_data_dir=tmp_path_factory.mktemp("eval") / "data"))
    kb.load([EVAL])
    return kb


@pytest.fixture(scope="session")
def demo_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The demo catalogue (durations, skills and prices on every entry), loaded once for the filter tests."""
    kb = KnowledgeBase(make_settings(badger_data_dir=tmp_path_factory.mktemp("demo") / "data"))
    kb.load([DEMO])
    return kb
