"""The job functions the scheduler (and `badger jobs run`) call: each idempotent, each a small summary back."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import or_, select, update
from sqlmodel import col

from core.clock import aware, zone
from core.db import get_engine, session_scope
from core.settings import get_settings
from jobs.slack_client import web_client_or_none
from skills.digest import queue_digests
from skills.models import Employee
from skills.reminders import ReminderRules, sweep

logger = logging.getLogger(__name__)

TIMEZONE_MAX_AGE = timedelta(days=7)
TIMEZONE_BATCH = 2_000  # users.info calls per run at most (Tier 4); a 429 ends the run early


def _now(now: datetime | None) -> datetime:
    return aware(now).astimezone(UTC)


def send_reminders(now: datetime | None = None) -> dict[str, Any]:
    """Queue the reminders due now for people in their working hours (the outbox delivers them)."""
    settings = get_settings()
    with session_scope(get_engine(settings)) as session:
        report = sweep(session=session, now=_now(now), rules=ReminderRules.from_settings(settings))
    summary = asdict(report)
    logger.info("job.reminders considered=%d queued=%d outside_hours=%d already_sent=%d", report.considered,
                report.queued, report.skipped_outside_hours, report.already_sent)
    return summary


def weekly_digest(now: datetime | None = None) -> dict[str, Any]:
    """Queue each manager's digest for this ISO week (in BADGER_TIMEZONE); once per manager per week."""
    settings = get_settings()
    local = _now(now).astimezone(ZoneInfo(settings.badger_timezone))
    with session_scope(get_engine(settings)) as session:
        queued = queue_digests(session=session, now=local)
    logger.info("job.digest queued=%d", queued)
    return {"queued": queued}


def resync_catalogue(now: datetime | None = None) -> dict[str, Any]:
    """Re-load BADGER_CATALOGUE_SOURCES (new or changed entries only); nothing to do without sources."""
    settings = get_settings()
    sources = list(settings.badger_catalogue_sources)
    if not sources:
        logger.info("job.catalogue_resync skipped: BADGER_CATALOGUE_SOURCES is empty")
        return {"sources": 0}
    from knowledge.base import KnowledgeBase  # imports Chroma and the embedder: only when there is work

    report = KnowledgeBase(settings).load(sources, replace=False)
    summary = {k: v for k, v in report.as_dict().items() if k != "skipped"}
    logger.info("job.catalogue_resync files=%d added=%d updated=%d unchanged=%d embedded=%d", report.files,
                report.added, report.updated, report.unchanged, report.embedded)
    return {"sources": len(sources), **summary}


def sync_timezones(now: datetime | None = None) -> dict[str, Any]:
    """Store people's Slack profile timezones, each refreshed at most weekly; stop at a rate limit."""
    settings = get_settings()
    client = web_client_or_none(settings)
    if client is None:
        logger.info("job.timezones skipped: SLACK_BOT_TOKEN is not set")
        return {"skipped": True, "checked": 0, "changed": 0, "rate_limited": False}
    now = _now(now)
    engine = get_engine(settings)
    with engine.connect() as connection:
        stale = list(connection.execute(
            select(col(Employee.user_id), col(Employee.timezone))
            .where(or_(col(Employee.timezone_synced_at).is_(None),
                       col(Employee.timezone_synced_at) < now - TIMEZONE_MAX_AGE))
            .order_by(col(Employee.timezone_synced_at).is_not(None), col(Employee.timezone_synced_at),
                      col(Employee.user_id))
            .limit(TIMEZONE_BATCH)
        ).all())
    checked = changed = failed = 0
    rate_limited = False
    for user_id, current in stale:
        try:
            tz = _profile_timezone(client, user_id)
        except SlackApiError as exc:
            if exc.response.status_code == 429 or exc.response.get("error") == "ratelimited":
                rate_limited = True  # the rest keep their old sync time: they come first next run
                break
            failed += 1
            logger.warning("job.timezones users.info failed user=%s error=%s", user_id, exc.response.get("error"))
            continue
        values: dict[str, Any] = {"timezone_synced_at": now}
        if tz is not None and tz != current:
            values["timezone"] = tz
            changed += 1
        with engine.begin() as connection:  # one row at a time: a crash or a 429 keeps what was read
            connection.execute(update(Employee).where(col(Employee.user_id) == user_id).values(**values))
        checked += 1
    logger.info("job.timezones checked=%d changed=%d failed=%d rate_limited=%s", checked, changed, failed,
                rate_limited)
    return {"skipped": False, "checked": checked, "changed": changed, "failed": failed,
            "rate_limited": rate_limited}


def _profile_timezone(client: WebClient, user_id: str) -> str | None:
    """The user's IANA timezone from users.info, or None when Slack has none (or an unknown one)."""
    try:
        user = client.users_info(user=user_id).get("user") or {}
    except SlackApiError as exc:
        if exc.response.get("error") in ("user_not_found", "account_inactive"):
            return None  # nothing to learn; marked as synced so it is not asked again for a week
        raise
    tz = user.get("tz")
    if not isinstance(tz, str) or not tz:
        return None
    return tz if zone(tz) is not None else None
