"""Two schedulers on one PostgreSQL database: one leads, each job fires once, the other takes over."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.db import init_db, make_engine
from core.settings import Settings
from jobs.registry import JOBS, JobSpec
from jobs.scheduler import LOCK_NAME, SchedulerService, next_runs
from skills.models import SchedulerLock
from tests.jobs import job_helpers

LEASE = 3.0  # seconds: renewed every second
WAIT = 20.0  # generous: how long a test waits for something that should happen within a lease or two


def wait_until(condition: Callable[[], bool], timeout: float = WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def lease(engine: Engine) -> tuple[str, datetime]:
    """Who holds the scheduler lease and until when (what the replicas record to elect a leader)."""
    with Session(engine) as session:
        row = session.get(SchedulerLock, LOCK_NAME)
        assert row is not None, "nobody holds the lease"
        return row.holder, row.expires_at


@pytest.fixture
def database(postgres_url: str, tmp_path: Path) -> Iterator[tuple[Settings, Engine]]:
    settings = Settings(_env_file=None, database_url=postgres_url, badger_data_dir=tmp_path)  # type: ignore[call-arg]
    engine = make_engine(postgres_url)
    init_db(engine)
    yield settings, engine
    engine.dispose()


class Replica:
    """One scheduler service with its own stop switch, as one `badger serve` process would run it."""

    def __init__(self, settings: Settings, engine: Engine, holder: str, jobs: dict[str, JobSpec]) -> None:
        self.service = SchedulerService(settings, engine, holder=holder, lease_seconds=LEASE, jobs=jobs)
        self.stop = threading.Event()
        self.thread = self.service.start(self.stop)

    def shut(self) -> None:
        self.stop.set()
        self.thread.join(timeout=WAIT)
        assert not self.thread.is_alive()


def test_one_of_two_replicas_leads_and_a_job_fires_once(database: tuple[Settings, Engine]) -> None:
    settings, engine = database
    job_helpers.RUNS.clear()
    soon = datetime.now(UTC) + timedelta(seconds=3)
    spec = JobSpec("test-once", "tests.jobs.job_helpers:record_run", "interval", {"hours": 1, "start_date": soon},
                   "in three seconds, then hourly", "A test job.", kwargs={"tag": "fired"})
    tick = JobSpec("test-tick", "tests.jobs.job_helpers:record_run", "interval", {"seconds": 1},
                   "every second", "A sentinel: the leader runs its due jobs.", kwargs={"tag": "tick"})
    jobs = {spec.id: spec, tick.id: tick}
    a, b = (Replica(settings, engine, holder, jobs) for holder in ("replica-a", "replica-b"))
    try:
        assert wait_until(lambda: a.service.is_leader or b.service.is_leader)
        assert wait_until(lambda: job_helpers.RUNS.count("fired") == 1)
        holder, expiry = lease(engine)
        for _ in range(3):  # three lease renewals later: the same holder, one leader, still one run
            assert wait_until(lambda: lease(engine)[1] > expiry)  # noqa: B023 (expiry is read at each wait)
            renewed_by, expiry = lease(engine)
            assert renewed_by == holder and [a.service.is_leader, b.service.is_leader].count(True) == 1
        leader, follower = (a, b) if a.service.is_leader else (b, a)
        leader.shut()
        ticks = job_helpers.RUNS.count("tick")  # the old leader's scheduler is stopped: later ticks are the follower's
        assert wait_until(lambda: follower.service.is_leader)  # the lease was released: taken at the next check
        assert lease(engine)[0] == follower.service.holder
        assert next_runs(engine)["test-once"] > soon  # the job kept its next run: it did not fire again
        assert wait_until(lambda: job_helpers.RUNS.count("tick") > ticks)  # the follower ran its due jobs...
        assert job_helpers.RUNS.count("fired") == 1  # ...and the one-off was not among them
    finally:
        a.shut()
        b.shut()


def test_a_dead_leaders_lease_is_taken_over_after_it_expires(database: tuple[Settings, Engine]) -> None:
    settings, engine = database
    expires = datetime.now(UTC) + timedelta(seconds=6)
    with engine.begin() as conn:  # a replica that died without releasing its lease
        conn.execute(insert(SchedulerLock).values(name=LOCK_NAME, holder="dead-replica", expires_at=expires))
    replica = Replica(settings, engine, "replica-c", dict(JOBS))
    try:
        while datetime.now(UTC) < expires - timedelta(seconds=0.5):  # watched until the dead lease runs out
            assert not replica.service.is_leader and lease(engine)[0] == "dead-replica"
            time.sleep(0.05)
        assert wait_until(lambda: replica.service.is_leader)
        assert datetime.now(UTC) >= expires
        assert set(next_runs(engine)) == set(JOBS)  # the registry's jobs are in the shared job store
    finally:
        replica.shut()
    assert not replica.service.is_leader
