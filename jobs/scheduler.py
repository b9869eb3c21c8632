"""One scheduler among replicas: a lease row in the database elects the replica that runs APScheduler.

The leader renews its lease every third of its length; a replica that cannot renew (lost to another,
database unreachable) shuts its scheduler down. Jobs live in a SQLAlchemy job store, so a new leader
picks up where the last left off, and a run missed while no one led still happens (coalesced, within
the job's misfire grace). Every job is idempotent, which covers the rare overlap of a leader stalled
past its lease. Replicas' clocks are assumed to agree to well within the lease.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Float, String, column, delete, insert, inspect, or_, select, update
from sqlalchemy import table as table_clause
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import col

from core.settings import Settings
from jobs.registry import JOBS, JobSpec
from skills.models import SchedulerLock, utcnow

logger = logging.getLogger(__name__)

LOCK_NAME = "badger-scheduler"
JOBS_TABLE = "apscheduler_jobs"


class SchedulerService:
    """Runs the scheduled jobs on whichever replica holds the database lease."""

    def __init__(self, settings: Settings, engine: Engine, *, holder: str | None = None,
                 lease_seconds: float | None = None, jobs: Mapping[str, JobSpec] | None = None) -> None:
        self.settings, self.engine = settings, engine
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        lease_seconds = lease_seconds or settings.badger_scheduler_lease_seconds
        self.lease = timedelta(seconds=lease_seconds)
        self.renew_every = lease_seconds / 3
        self.jobs = dict(JOBS if jobs is None else jobs)
        self._scheduler: BackgroundScheduler | None = None
        self._leader = False

    @property
    def is_leader(self) -> bool:
        """True while this replica holds the lease and runs the scheduler."""
        return self._leader and self._scheduler is not None

    def start(self, stop: threading.Event) -> threading.Thread:
        """Start the election loop in a daemon thread; setting `stop` shuts the scheduler down and frees the lease."""
        thread = threading.Thread(target=self._run, args=(stop,), name="badger-scheduler", daemon=True)
        thread.start()
        return thread

    # the loop ----------------------------------------------------------------------------------
    def _run(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                self._leader = self._hold_lease()
                if self._leader and self._scheduler is None:
                    self._start_scheduler()
                elif not self._leader and self._scheduler is not None:
                    logger.warning("scheduler.lease_lost holder=%s", self.holder)
                    self._stop_scheduler()
                stop.wait(self.renew_every)
        finally:
            self._stop_scheduler()
            self._release()
            self._leader = False

    def _hold_lease(self) -> bool:
        """Take or renew the lease in one conditional statement; False when another replica holds it."""
        now = utcnow()
        values = {"holder": self.holder, "expires_at": now + self.lease}
        mine_or_free = or_(col(SchedulerLock.holder) == self.holder, col(SchedulerLock.expires_at) < now)
        try:
            with self.engine.begin() as conn:
                renewed = conn.execute(update(SchedulerLock).where(col(SchedulerLock.name) == LOCK_NAME, mine_or_free)
                                       .values(**values)).rowcount
            if renewed == 1:
                return True
            with self.engine.begin() as conn:
                conn.execute(insert(SchedulerLock).values(name=LOCK_NAME, **values))
            logger.info("scheduler.lease_taken holder=%s", self.holder)
            return True
        except IntegrityError:
            return False  # the row exists: someone else holds an unexpired lease
        except SQLAlchemyError:
            logger.exception("scheduler.lease_check_failed holder=%s", self.holder)
            return False  # cannot prove we lead: stand down

    def _release(self) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(SchedulerLock).where(col(SchedulerLock.name) == LOCK_NAME,
                                                         col(SchedulerLock.holder) == self.holder))
        except SQLAlchemyError:
            logger.exception("scheduler.release_failed holder=%s (the lease expires on its own)", self.holder)

    # APScheduler -------------------------------------------------------------------------------
    def _start_scheduler(self) -> None:
        tz = self.settings.badger_timezone
        scheduler = BackgroundScheduler(
            timezone=tz,
            jobstores={"default": SQLAlchemyJobStore(url=self.settings.resolved_database_url, tablename=JOBS_TABLE)},
            executors={"default": ThreadPoolExecutor(max_workers=4)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 900},
        )
        try:
            scheduler.start(paused=True)
            for spec in self.jobs.values():
                trigger = spec.build_trigger(tz)
                job = scheduler.get_job(spec.id)
                if job is None or not _unchanged(job, spec, repr(trigger)):  # an unchanged job keeps its next run
                    scheduler.add_job(spec.func, trigger=trigger, id=spec.id, name=spec.id, kwargs=spec.kwargs,
                                      misfire_grace_time=spec.misfire_grace_seconds, replace_existing=True)
            for job in scheduler.get_jobs():
                if job.id not in self.jobs:
                    job.remove()  # a job this version no longer has
            scheduler.resume()
        except Exception:
            logger.exception("scheduler.start_failed holder=%s", self.holder)
            if scheduler.running:
                scheduler.shutdown(wait=False)
            self._release()
            self._leader = False
            return
        self._scheduler = scheduler
        logger.info("scheduler.started holder=%s timezone=%s jobs=%s", self.holder, tz, ",".join(self.jobs))

    def _stop_scheduler(self) -> None:
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)  # a job already running finishes; jobs are idempotent
            logger.info("scheduler.stopped holder=%s", self.holder)


def _unchanged(job: Job, spec: JobSpec, trigger: str) -> bool:
    return (job.func_ref == spec.func and repr(job.trigger) == trigger and job.kwargs == spec.kwargs
            and job.misfire_grace_time == spec.misfire_grace_seconds)


def next_runs(engine: Engine) -> dict[str, datetime]:
    """The stored next run time of each scheduled job (none before a scheduler first ran)."""
    if not inspect(engine).has_table(JOBS_TABLE):
        return {}
    table = table_clause(JOBS_TABLE, column("id", String), column("next_run_time", Float))
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.id, table.c.next_run_time)).all()
    return {job_id: datetime.fromtimestamp(ts, UTC) for job_id, ts in rows if ts is not None}
