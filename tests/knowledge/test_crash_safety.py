"""A load killed at any point leaves the previous catalogue searchable; the next load repairs the gap."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import Session, select

from knowledge.base import KnowledgeBase
from knowledge.models import ACTIVE, Credential
from tests.knowledge.conftest import EVAL, FIVE, make_settings

BADGER = str(Path(sys.executable).parent / "badger")


def active(kb: KnowledgeBase) -> dict[str, str]:
    """Active ids with their content hashes: equal only when every record is the same."""
    with Session(kb.engine) as session:
        rows = session.exec(select(Credential).where(Credential.status == ACTIVE)).all()
        return {row.id: row.content_hash for row in rows}


def start_load(data_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BADGER_DATA_DIR": str(data_dir), "DATABASE_URL": "", "CHROMA_URL": ""}
    return subprocess.Popen([BADGER, "catalogue", "load", str(EVAL)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_kill_during_load_keeps_old_catalogue_and_next_load_repairs(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline"
    old = KnowledgeBase(make_settings(badger_data_dir=baseline))
    old.load([FIVE])
    before = active(old)

    reference = tmp_path / "reference"
    shutil.copytree(baseline, reference)
    started = time.monotonic()
    assert start_load(reference).wait(timeout=300) == 0
    full = time.monotonic() - started
    after = active(KnowledgeBase(make_settings(badger_data_dir=reference)))
    assert len(after) == 187 and before.keys() < after.keys() and before != {i: after[i] for i in before}

    outcomes = set()
    for fraction in (0.35, 0.8):
        data_dir = tmp_path / f"killed-{fraction}"
        shutil.copytree(baseline, data_dir)
        process = start_load(data_dir)
        time.sleep(full * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

        kb = KnowledgeBase(make_settings(badger_data_dir=data_dir))
        now = active(kb)
        assert now in (before, after), "a killed load must leave the old or the new catalogue, never a mix"
        outcomes.add("old" if now == before else "new")
        hits = kb.search("site reliability engineering SLOs", k=5).hits
        assert hits and {hit.id for hit in hits} <= now.keys()

        report = kb.load([EVAL])
        assert active(kb) == after
        assert set(kb.index.state()) == after.keys()
        assert report.embedded <= 187
    assert "old" in outcomes  # at least one kill landed before the database commit
