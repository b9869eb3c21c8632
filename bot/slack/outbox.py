"""The outbox deliverer: posts pending notices to Slack exactly once, across crashes, outages and replicas.

Claim a batch in one statement (FOR UPDATE SKIP LOCKED on PostgreSQL); store the channel before posting; a
notice that already has a channel may be in Slack already, so look for its idempotency key before re-posting.
Held notices are not pending, so they are never claimed. A batch is delivered by a few threads, one recipient per
thread at a time (a person's notices stay in order), so Slack's latency is paid in parallel across channels.
Posts to a shared channel are paced (one a second per channel, Slack's chat.postMessage limit): a notice for a
channel posted to moments ago waits for the next pass. Rate limits pause their channel or method, or everything
(bot/slack/outbox_gate.py); a notice that meets a pause waits for its end without calling Slack.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import and_, update
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from bot.slack.blocks import escape, fallback_text, pages
from bot.slack.notices import render
from bot.slack.outbox_errors import HISTORY_BLIND, NETWORK_ERRORS, classify, private_client
from bot.slack.outbox_extras import Chart, after_post, channel_id
from bot.slack.outbox_gate import POSTING, WORKSPACE, Gate, method_key
from core import lease
from core.clock import aware
from core.metrics import NOTICES_DELIVERED, SLACK_ERRORS, SLACK_RATELIMITED
from skills.inbox import prune_events
from skills.models import Notice, NoticeStatus
from skills.notices import due_notices, mark_failed, mark_sent
from skills.records.xapi import KIND as XAPI_KIND

logger = logging.getLogger(__name__)

EVENT_TYPE = "badger_notice"
PRUNE_EVERY = 3600.0  # seconds between prunes of the inbound event ids


@dataclass
class DeliveryReport:
    """What one pass did: claimed rows and how each ended (deferred: after an outage; paced: its channel was busy)."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    recovered: int = 0
    deferred: int = 0
    paced: int = 0

    def add(self, other: DeliveryReport) -> None:
        """Count another report's notices in this one."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


class _Paused(Exception):  # control flow: a call this notice needs is paused until `until`
    def __init__(self, until: datetime) -> None:
        super().__init__(until)
        self.until = until


class Deliverer:
    """Delivers outbox notices; safe to run in several threads or replicas over one database."""

    def __init__(self, client: WebClient, engine: Engine, *, batch_size: int = 48, max_attempts: int = 8,
                 lease_seconds: float = 300.0, base_backoff: float = 2.0, max_backoff: float = 300.0,
                 max_retry_after: float = 900.0, outage_grace: float = 86400.0, channel_interval: float = 1.0,
                 rng: random.Random | None = None, chart: Chart | None = None, concurrency: int = 16) -> None:
        self.client = private_client(client)
        self.engine = engine
        self.batch_size, self.max_attempts = batch_size, max_attempts
        self.lease = timedelta(seconds=lease_seconds)
        self.base_backoff, self.max_backoff, self.max_retry_after = base_backoff, max_backoff, max_retry_after
        self.outage_grace = timedelta(seconds=outage_grace)  # an outage alone fails a notice only after this long
        self.rng = rng or random.Random()  # jitter only; not security-sensitive
        self.channel_interval = timedelta(seconds=channel_interval)
        self.chart = chart  # draws a digest's PNG; None: jobs.chart.digest_png when installed
        self.concurrency = max(1, concurrency)  # threads posting at once, each to its own recipient
        self.gate = Gate(self.channel_interval)
        self._channel_ids: dict[str, str] = {}  # "#name" -> channel id
        self._dm_ids: dict[str, str] = {}  # user id -> the app's DM with them (stable: opened once per process)

    def claim(self, now: datetime) -> list[int]:
        """Take up to a batch of due notices (and ones whose deliverer died) in one statement; `now` is the token."""
        due = and_(col(Notice.kind) != XAPI_KIND,  # xAPI rows go to the LRS (jobs/xapi.py), never to Slack
                   due_notices(now, self.lease))
        return lease.claim(self.engine, Notice, col(Notice.id), due, limit=self.batch_size,
                           values={"status": NoticeStatus.SENDING.value, "claimed_at": now})

    def deliver_once(self, now: datetime | None = None) -> DeliveryReport:
        """Claim a batch and deliver it, recipients in parallel; what a rate limit or an outage pauses waits."""
        start, began = aware(now), time.monotonic()

        def clock() -> datetime:
            return start + timedelta(seconds=time.monotonic() - began)

        claimed = self.claim(start)
        groups: dict[str, list[int]] = {}
        for notice_id, recipient in self._recipients(claimed):
            groups.setdefault(recipient, []).append(notice_id)

        def run(ids: list[int]) -> DeliveryReport:
            part = DeliveryReport()
            for notice_id in ids:
                self._deliver(notice_id, start, clock, part)
            return part

        report = DeliveryReport(claimed=len(claimed))
        if self.concurrency == 1 or len(groups) <= 1:
            parts = [run(ids) for ids in groups.values()]
        else:
            with ThreadPoolExecutor(min(self.concurrency, len(groups)), thread_name_prefix="badger-post") as pool:
                parts = list(pool.map(run, groups.values()))
        for part in parts:
            report.add(part)
        return report

    def _recipients(self, ids: list[int]) -> list[tuple[int, str]]:
        if not ids:
            return []
        with Session(self.engine) as session:
            rows = session.exec(select(Notice.id, Notice.recipient_id).where(col(Notice.id).in_(ids))).all()
        return sorted((int(i), r) for i, r in rows if i is not None)

    def run_forever(self, stop: threading.Event, interval: float = 2.0) -> None:
        """Deliver until `stop` is set (a daemon thread's loop); prunes old inbound event ids hourly."""
        last_prune = float("-inf")
        while not stop.is_set():
            full = False
            try:
                report = self.deliver_once()
                full = report.claimed >= self.batch_size
                if time.monotonic() - last_prune >= PRUNE_EVERY:
                    prune_events(self.engine)
                    last_prune = time.monotonic()
            except Exception:
                logger.exception("outbox delivery pass failed; retrying in %.1fs", interval)
            if not full:
                stop.wait(interval)

    # one notice ---------------------------------------------------------------------------------
    def _deliver(self, notice_id: int, token: datetime, clock: Callable[[], datetime],
                 report: DeliveryReport) -> None:
        with self.engine.begin() as conn:  # renew the lease; lost if another deliverer took over after it ran out
            if conn.execute(update(Notice).where(_mine([notice_id], token)).values(claimed_at=clock())).rowcount != 1:
                return
        with Session(self.engine, expire_on_commit=False) as session:
            notice = session.get(Notice, notice_id)
            assert notice is not None
            session.commit()  # hand the connection back: the Slack calls ahead are slow, the pool is shared
            try:
                if (until := self.gate.paused_until(self._keys(notice), clock())) is not None:
                    raise _Paused(until)
                self._post(session, notice, report, clock)
            except _Paused as paused:
                _requeue(session, notice, paused.until)
                report.deferred += 1
            except (SlackApiError, *NETWORK_ERRORS) as exc:
                self._failed(session, notice, exc, clock(), report)

    def _keys(self, notice: Notice) -> list[str]:
        """The pause and pacing keys of a notice: its recipient and the channel it goes to, when known."""
        known = notice.channel_id or self._dm_ids.get(notice.recipient_id) or self._channel_ids.get(notice.recipient_id)
        return [notice.recipient_id, *([known] if known else [])]

    def _call_allowed(self, method: str, now: datetime) -> None:
        if (until := self.gate.paused_until([method_key(method)], now)) is not None:
            raise _Paused(until)

    def _target(self, recipient: str, now: datetime) -> str:
        """Where a notice goes: the app's DM with a user (opened or found), else the channel (by id if possible)."""
        if _is_person(recipient):
            if recipient not in self._dm_ids:
                self._call_allowed("conversations.open", now)
                self._dm_ids[recipient] = str(self.client.conversations_open(users=recipient)["channel"]["id"])
            return self._dm_ids[recipient]
        if recipient.startswith("#"):
            if recipient not in self._channel_ids:
                self._call_allowed("conversations.list", now)
            return channel_id(self.client, recipient, self._channel_ids) or recipient
        return recipient

    def _post(self, session: Session, notice: Notice, report: DeliveryReport, clock: Callable[[], datetime]) -> None:
        maybe_posted = notice.channel_id is not None  # a channel is stored only right before a post
        channel = notice.channel_id or self._target(notice.recipient_id, clock())
        if (until := self._pace(notice, channel, clock())) is not None:
            _requeue(session, notice, until)
            report.paced += 1
            return
        if notice.channel_id is None:
            notice.channel_id = channel
            session.add(notice)
            session.commit()
        if maybe_posted and (ts := self._find(channel, notice, clock())) is not None:
            mark_sent(session, notice, message_ts=ts)
            session.commit()
            report.recovered += 1
            NOTICES_DELIVERED.labels("recovered").inc()
            self._posted(notice, channel, clock())
            logger.info("notice %s (%s) was already in Slack at %s; not posting again", notice.id, notice.kind, ts)
            after_post(self.client, notice, channel, ts, self.chart)
            return
        message = render(notice)
        text, [first, *more] = escape(fallback_text(message)), pages(message, feedback=False)
        metadata = {"event_type": EVENT_TYPE,
                    "event_payload": {"idempotency_key": notice.idempotency_key, "notice_id": notice.id}}
        response = self.client.chat_postMessage(channel=channel, text=text, blocks=first, metadata=metadata,
                                                unfurl_links=False, unfurl_media=False)
        ts, channel = str(response["ts"]), str(response.get("channel") or channel)  # a "#name" answers with its id
        if notice.recipient_id.startswith("#"):
            self._channel_ids[notice.recipient_id] = channel
        notice.next_attempt_at, notice.channel_id = None, channel
        mark_sent(session, notice, message_ts=ts)
        session.commit()
        report.sent += 1
        NOTICES_DELIVERED.labels("sent").inc()
        self._posted(notice, channel, clock())
        logger.info("notice %s (%s) sent to %s", notice.id, notice.kind, channel)
        after_post(self.client, notice, channel, ts, self.chart)
        for page in more:  # rare: past 50 blocks; best effort, the notice itself is delivered
            try:
                self.client.chat_postMessage(channel=channel, text=text, blocks=page, thread_ts=ts)
            except (SlackApiError, *NETWORK_ERRORS) as exc:
                logger.warning("notice %s: a continuation page failed: %s", notice.id, classify(exc).error)

    def _pace(self, notice: Notice, channel: str, now: datetime) -> datetime | None:
        """When a notice to a shared channel may go, if this deliverer posted there less than a second ago."""
        if _is_person(notice.recipient_id):
            return None  # a DM: one person's conversation, where Slack's short bursts are enough
        return self.gate.reserve_post((channel, notice.recipient_id), now)

    def _posted(self, notice: Notice, channel: str, now: datetime) -> None:
        if not _is_person(notice.recipient_id):
            self.gate.posted((channel, notice.recipient_id), now)

    def _find(self, channel: str, notice: Notice, now: datetime) -> str | None:
        """The ts of the notice's message if an earlier attempt posted it (matched by idempotency key)."""
        if channel.startswith("#"):  # only a channel's id has a history
            channel = channel_id(self.client, channel, self._channel_ids) or channel
        if channel.startswith("#"):
            logger.warning("notice %s: cannot read the history of %s by name; posting again may duplicate it",
                           notice.id, channel)
            return None
        self._call_allowed("conversations.history", now)
        try:
            history = self.client.conversations_history(channel=channel, limit=50, include_all_metadata=True)
        except SlackApiError as exc:
            if classify(exc).error not in HISTORY_BLIND:
                raise
            logger.warning("notice %s: cannot read %s history (%s); posting again may duplicate it",
                           notice.id, channel, classify(exc).error)
            return None
        for message in history.get("messages") or []:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("idempotency_key") == notice.idempotency_key:
                return str(message["ts"])
        return None

    def _failed(self, session: Session, notice: Notice, exc: Exception, now: datetime,
                report: DeliveryReport) -> None:
        """Record a failure, and pause what it says is unavailable: a channel, a method or all of Slack."""
        outcome, method = classify(exc), _method(exc)
        if outcome.kind == "ratelimited":  # not an attempt: Slack asked us to wait
            delay = min(outcome.retry_after or self.base_backoff, self.max_retry_after)
            notice.last_error = outcome.error
            key = (notice.channel_id or notice.recipient_id) if method in POSTING else method_key(method)
            scope = self.gate.pause(key, now + timedelta(seconds=delay), now)
            SLACK_RATELIMITED.labels(method, scope).inc()
            if scope == WORKSPACE:
                logger.warning("Slack rate-limits the workspace: pausing all posts for %.0fs", delay)
        else:
            SLACK_ERRORS.labels(method, outcome.kind).inc()
            riding_out = outcome.kind == "outage" and notice.created_at > now - self.outage_grace
            give_up = outcome.kind == "permanent" or (notice.attempts + 1 >= self.max_attempts and not riding_out)
            mark_failed(session, notice, error=outcome.error, give_up=give_up)
            if give_up:
                session.commit()
                report.failed += 1
                NOTICES_DELIVERED.labels("failed").inc()
                logger.warning("notice %s (%s) to %s failed for good after %d attempt(s): %s",
                               notice.id, notice.kind, notice.recipient_id, notice.attempts, outcome.error)
                return
            delay = min(self.max_backoff, self.base_backoff * 2 ** min(notice.attempts - 1, 30))
            delay *= self.rng.uniform(0.5, 1.0)
            if outcome.kind == "outage":  # Slack as a whole is unavailable: everyone waits as long as this one
                self.gate.pause(WORKSPACE, now + timedelta(seconds=delay), now)
        notice.status, notice.claimed_at = NoticeStatus.PENDING.value, None
        notice.next_attempt_at = now + timedelta(seconds=delay)
        session.add(notice)
        session.commit()
        report.retried += 1
        logger.info("notice %s (%s): %s; retrying in %.1fs", notice.id, notice.kind, outcome.error, delay)


def _mine(ids: list[int], token: datetime) -> ColumnElement[bool]:
    """Rows still claimed by the pass that claimed them at `token`."""
    return and_(col(Notice.id).in_(ids), col(Notice.status) == NoticeStatus.SENDING, col(Notice.claimed_at) == token)


def _requeue(session: Session, notice: Notice, until: datetime) -> None:
    """Put a claimed notice back, due at `until` (not an attempt)."""
    notice.status, notice.claimed_at, notice.next_attempt_at = NoticeStatus.PENDING.value, None, until
    session.add(notice)
    session.commit()


def _method(exc: Exception) -> str:
    """The Web API method a failed call was to ("-" for a network error, before Slack answered)."""
    url = str(getattr(getattr(exc, "response", None), "api_url", "") or "")
    return url.rstrip("/").rsplit("/", 1)[-1] or "-"


def _is_person(recipient: str) -> bool:
    """A user id (a DM to them), as opposed to a channel id or #name."""
    return recipient[:1] in ("U", "W")
