"""A load killed at any point leaves the previous catalogue searchable; the next load repairs the gap."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import Session, select

from knowledge.base import KnowledgeBase
from knowledge.catalogue import EMBED_CHUNK
from knowledge.models import ACTIVE, Credential
from tests.fakes.openai_server import FakeOpenAI
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
    full_kb = KnowledgeBase(make_settings(badger_data_dir=reference))
    after = active(full_kb)
    reference_vectors = full_kb.index.state()
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

        done = kb.index.state()  # vectors the killed load finished, as the full load made them
        missing = sum(1 for i in after if done.get(i, {}).get("embed_hash") != reference_vectors[i]["embed_hash"])
        report = kb.load([EVAL])
        assert active(kb) == after
        assert set(kb.index.state()) == after.keys()
        assert report.embedded == missing  # exactly the vectors the killed load had not written
    assert "old" in outcomes  # at least one kill landed before the database commit


def write_catalogue(path: Path, count: int) -> set[str]:
    """A catalogue of `count` distinct records (several embedding chunks); their ids."""
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            out.write(json.dumps({"id": f"course-{n:04d}", "title": f"Course {n} on topic {n % 37}",
                                  "provider": "Test Academy", "description": f"Lesson plan number {n}.",
                                  "skills": [f"Skill {n % 11}"], "level": "beginner", "cost": 0}) + "\n")
    return {f"course-{n:04d}" for n in range(count)}


def test_a_load_killed_between_embedding_chunks_resumes_with_only_the_missing_ones(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    """More than one chunk: killed while the second chunk is being embedded, the next load embeds the rest only."""
    openai = {"embedding_backend": "openai", "openai_api_key": "sk-test-123", "openai_base_url": fake_openai.base_url}
    data_dir = tmp_path / "data"
    kb = KnowledgeBase(make_settings(badger_data_dir=data_dir, **openai))
    kb.load([FIVE])
    before = active(kb)
    big = tmp_path / "big.jsonl"
    total = EMBED_CHUNK * 2 + 100
    ids = write_catalogue(big, total)
    first_requests = len(fake_openai.embedding_requests)

    gate = fake_openai.hold_embeddings(after=first_requests + 1)  # the first chunk passes, the second waits
    env = {**os.environ, "BADGER_DATA_DIR": str(data_dir), "EMBEDDING_BACKEND": "openai",
           "OPENAI_API_KEY": "sk-test-123", "OPENAI_BASE_URL": fake_openai.base_url}
    process = subprocess.Popen([BADGER, "catalogue", "load", str(big)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(fake_openai.embedding_requests) < first_requests + 2:  # the second chunk's request is held
        assert process.poll() is None and time.monotonic() < deadline, "the load never reached its second chunk"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    gate.set()

    kb = KnowledgeBase(make_settings(badger_data_dir=data_dir, **openai))
    assert active(kb) == before  # killed before the database commit: the old catalogue, still searchable
    assert kb.search("game theory", k=3).hits
    assert len(set(kb.index.state()) & ids) == EMBED_CHUNK  # the first chunk's vectors were kept

    report = kb.load([big])
    assert report.embedded == total - EMBED_CHUNK  # only what the killed load had not embedded
    assert active(kb).keys() == before.keys() | ids and set(kb.index.state()) == before.keys() | ids
