"""The scheduled jobs: stable ids, importable functions, triggers and what each one does."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

_TRIGGERS: dict[str, type[BaseTrigger]] = {"cron": CronTrigger, "interval": IntervalTrigger}


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job: `func` is an import path ("module:function") so the job store can persist it."""

    id: str
    func: str
    trigger: str  # "cron" or "interval" (a one-off date job would run again under each new leader)
    trigger_args: dict[str, Any]
    schedule: str  # the trigger in words, for `badger jobs list`
    help: str
    misfire_grace_seconds: int = 900  # a run missed (no leader, a restart) still happens within this window
    kwargs: dict[str, Any] = field(default_factory=dict)

    def build_trigger(self, timezone: str) -> BaseTrigger:
        """The APScheduler trigger, in the scheduler's timezone."""
        return _TRIGGERS[self.trigger](**self.trigger_args, timezone=timezone)

    def function(self) -> Callable[..., dict[str, Any]]:
        """The job function itself, imported from `func`."""
        module, _, name = self.func.partition(":")
        found: Callable[..., dict[str, Any]] = getattr(importlib.import_module(module), name)
        return found


JOBS: dict[str, JobSpec] = {
    spec.id: spec
    for spec in (
        JobSpec("reminders", "jobs.tasks:send_reminders", "cron", {"minute": 5},
                "hourly at minute 5",
                "Queue due reminders (stalled, due soon, overdue, unanswered nominations, pending approvals) for "
                "people now in their working hours.", misfire_grace_seconds=1800),
        JobSpec("digest", "jobs.tasks:weekly_digest", "cron", {"day_of_week": "mon", "hour": 9, "minute": 0},
                "Mondays at 09:00", "Queue each manager's weekly digest: the team's progress, a chart and the top "
                "skill gaps.", misfire_grace_seconds=12 * 3600),
        JobSpec("catalogue-resync", "jobs.tasks:resync_catalogue", "cron", {"hour": 2, "minute": 30},
                "daily at 02:30", "Re-load the catalogue files in BADGER_CATALOGUE_SOURCES (unchanged entries are "
                "not re-embedded).", misfire_grace_seconds=6 * 3600),
        JobSpec("timezones", "jobs.tasks:sync_timezones", "cron", {"hour": 3, "minute": 0},
                "daily at 03:00", "Read people's timezones from their Slack profiles (each at most weekly; stops "
                "when rate-limited and resumes next run).", misfire_grace_seconds=6 * 3600),
        JobSpec("retention", "jobs.records:purge_retention", "cron", {"hour": 4, "minute": 15},
                "daily at 04:15", "Purge conversation turns, received event ids and delivered notices older than "
                "BADGER_RETENTION_DAYS_* (in batches).", misfire_grace_seconds=12 * 3600),
        JobSpec("xapi", "jobs.xapi:send_statements", "interval", {"minutes": 1}, "every minute",
                "Queue xAPI statements for new audit events and send them to XAPI_ENDPOINT (off when unset).",
                misfire_grace_seconds=300),
    )
}
