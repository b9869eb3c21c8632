"""An admin hides an entry from search (`badger catalogue hide/unhide ID`)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.hiding import set_hidden
from tests.knowledge.conftest import FIVE

ROOT = Path(__file__).resolve().parents[2]


def _ids(kb: KnowledgeBase, query: str) -> list[str]:
    return [hit.id for hit in kb.search(query, k=10, language="*").hits]


def test_a_hidden_entry_leaves_search_until_unhidden(make_kb: Callable[..., KnowledgeBase]) -> None:
    kb = make_kb(catalogue_recheck_seconds=0)
    kb.load([FIVE])
    first = _ids(kb, "python")[0]
    assert set_hidden(kb.engine, first, hidden=True)
    assert first not in _ids(kb, "python")
    assert not set_hidden(kb.engine, first, hidden=True)  # already hidden
    assert set_hidden(kb.engine, first, hidden=False)
    assert _ids(kb, "python")[0] == first
    with pytest.raises(ValueError, match="no catalogue entry"):
        set_hidden(kb.engine, "no-such-id", hidden=True)


def test_the_cli_hides_and_says_so(make_kb: Callable[..., KnowledgeBase], tmp_path: Path) -> None:
    kb = make_kb()
    kb.load([FIVE])
    target = _ids(kb, "python")[0]
    env = {**os.environ, "BADGER_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "catalogue", "hide", target], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "hidden from search" in done.stdout
    fresh = make_kb()
    assert target not in _ids(fresh, "python")
    missing = subprocess.run([sys.executable, "-m", "bot.cli", "catalogue", "unhide", "nope"], env=env,
                             cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert missing.returncode == 1
    assert "no catalogue entry" in missing.stdout + missing.stderr
