"""`badger serve` replicas on one database: one leads the scheduler; killed, exactly one other takes over."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.cli_db import upgrade_database
from core.db import make_engine
from jobs.registry import JOBS
from jobs.scheduler import LOCK_NAME, next_runs
from knowledge.base import KnowledgeBase
from skills.models import SchedulerLock
from tests.bot.slack.conftest import SECRET, TOKEN
from tests.fakes.slack_server import FakeSlack
from tests.knowledge.conftest import make_settings
from tests.skills.assistant.conftest import CATALOGUE, add_org
from tests.skills.conftest import db_url  # noqa: F401  (the [sqlite] / [postgres] database fixture)

ROOT = Path(__file__).resolve().parents[2]
LEASE = 10  # seconds (BADGER_SCHEDULER_LEASE_SECONDS): short, so a dead leader is replaced soon
TAKEOVER = 90.0  # the successor takes it at its next check after it runs out; generous for a busy machine


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll until `check()` is truthy; its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def lease(engine: Engine) -> tuple[int, datetime] | None:
    """The pid of the process holding the scheduler lease (holder is host:pid:nonce) and its expiry."""
    with Session(engine) as session:
        row = session.get(SchedulerLock, LOCK_NAME)
        return (int(row.holder.rsplit(":", 2)[1]), row.expires_at) if row is not None else None


@pytest.fixture
def replicas(tmp_path: Path, slack: FakeSlack, db_url: str) -> Iterator[Callable[[str], subprocess.Popen[bytes]]]:  # noqa: F811
    """Start `badger serve --http` processes sharing one database (killed at the end)."""
    data = tmp_path / "data"
    upgrade_database(db_url)
    kb = KnowledgeBase(make_settings(badger_data_dir=data, database_url=db_url))
    kb.load([CATALOGUE])
    add_org(kb)
    env = {**os.environ, "BADGER_DATA_DIR": str(data), "DATABASE_URL": db_url, "SLACK_BOT_TOKEN": TOKEN,
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url, "BADGER_ANSWER_PROCESSES": "0",
           "BADGER_SCHEDULER_LEASE_SECONDS": str(LEASE), "PYTHONPATH": str(ROOT), "COLUMNS": "250"}
    started: list[subprocess.Popen[bytes]] = []

    def start(name: str) -> subprocess.Popen[bytes]:
        log = tmp_path / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--http", "--host", "127.0.0.1",
                                        "--port", "0"], cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
        started.append(process)

        def url() -> str | None:
            assert process.poll() is None, log.read_text(errors="replace")[-2000:]
            match = re.search(r"(http://127\.0\.0\.1:\d+)/slack/events", log.read_text(errors="replace"))
            return match.group(1) if match else None

        served = wait_for(url, 90, f"{name} to serve")
        assert httpx.get(f"{served}/healthz").status_code == 200
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.timeout(600)  # three processes start, then the lease must run out
def test_killing_the_leader_hands_the_jobs_to_exactly_one_other_replica(
    replicas: Callable[[str], subprocess.Popen[bytes]], db_url: str  # noqa: F811
) -> None:
    processes = {p.pid: p for p in (replicas(name) for name in ("a", "b", "c"))}
    engine = make_engine(db_url)
    try:
        leader, _ = wait_for(lambda: lease(engine), 60, "a replica to take the lease")
        assert leader in processes
        scheduled = wait_for(lambda: (runs := next_runs(engine)).keys() == JOBS.keys() and runs, 60,
                             "the leader to schedule the registry's jobs")

        processes[leader].send_signal(signal.SIGKILL)  # no goodbye: its lease must run out
        processes[leader].wait(timeout=30)
        successor, expiry = wait_for(lambda: (held := lease(engine)) and held[0] != leader and held, TAKEOVER,
                                     "another replica to take over")
        assert successor in processes and processes[successor].poll() is None
        renewed, _ = wait_for(lambda: (held := lease(engine)) and held[1] > expiry and held, 60,
                              "the lease to be renewed")
        assert renewed == successor  # a renewal later the same replica leads: no second leader took it
        runs, now = next_runs(engine), datetime.now(UTC)
        assert runs.keys() == scheduled.keys()  # each job is scheduled once
        for name, before in scheduled.items():
            if JOBS[name].trigger == "interval":  # the successor counts its interval afresh: later, never sooner
                assert runs[name] >= before, name
            elif before > now:  # a cron job not due yet keeps its time
                assert runs[name] == before, name
            elif before < now - timedelta(seconds=30):  # long due: it ran once and moved on (just due: may not yet)
                assert runs[name] > before, name
        for pid, process in processes.items():
            if pid != leader:
                assert process.poll() is None
                process.send_signal(signal.SIGTERM)
                assert process.wait(timeout=30) == 0
    finally:
        engine.dispose()
