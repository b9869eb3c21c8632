"""The outbox deliverer: posts pending notices to Slack exactly once, across crashes, outages and replicas.

Claim a batch in one statement (FOR UPDATE SKIP LOCKED on PostgreSQL); store the channel before posting; a
notice that already has a channel may be in Slack already, so look for its idempotency key before re-posting.
Held notices are not pending, so they are never claimed. Posts to a shared channel are paced (one a second per
channel, Slack's chat.postMessage limit): a notice for a channel posted to moments ago waits for the next pass.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Select, and_, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from bot.slack.blocks import escape, fallback_text, pages
from bot.slack.notices import render
from bot.slack.outbox_errors import HISTORY_BLIND, NETWORK_ERRORS, Outcome, classify, private_client
from bot.slack.outbox_extras import Chart, after_post, channel_id
from core.clock import aware
from skills.inbox import prune_events
from skills.models import Notice, NoticeStatus
from skills.notices import mark_failed, mark_sent
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


class Deliverer:
    """Delivers outbox notices; safe to run in several threads or replicas over one database."""

    def __init__(self, client: WebClient, engine: Engine, *, batch_size: int = 20, max_attempts: int = 8,
                 lease_seconds: float = 300.0, base_backoff: float = 2.0, max_backoff: float = 300.0,
                 max_retry_after: float = 900.0, outage_grace: float = 86400.0, channel_interval: float = 1.0,
                 rng: random.Random | None = None, chart: Chart | None = None) -> None:
        self.client = private_client(client)
        self.engine = engine
        self.batch_size, self.max_attempts = batch_size, max_attempts
        self.lease = timedelta(seconds=lease_seconds)
        self.base_backoff, self.max_backoff, self.max_retry_after = base_backoff, max_backoff, max_retry_after
        self.outage_grace = timedelta(seconds=outage_grace)  # an outage alone fails a notice only after this long
        self.rng = rng or random.Random()  # jitter only; not security-sensitive
        self.channel_interval = timedelta(seconds=channel_interval)
        self.chart = chart  # draws a digest's PNG; None: jobs.chart.digest_png when installed
        self._last_post: dict[str, datetime] = {}  # shared channel -> when this deliverer last posted there
        self._channel_ids: dict[str, str] = {}  # "#name" -> channel id

    def claim(self, now: datetime) -> list[int]:
        """Take up to a batch of due notices (and ones whose deliverer died) in one statement; `now` is the token."""
        due = and_(col(Notice.kind) != XAPI_KIND,  # xAPI rows go to the LRS (jobs/xapi.py), never to Slack
                   or_(and_(col(Notice.status) == NoticeStatus.PENDING,
                            or_(col(Notice.next_attempt_at).is_(None), col(Notice.next_attempt_at) <= now)),
                       and_(col(Notice.status) == NoticeStatus.SENDING, col(Notice.claimed_at) < now - self.lease)))
        pick: Select[tuple[int]] = select(col(Notice.id).label("id")).where(due).order_by(col(Notice.id))
        pick = pick.limit(self.batch_size)
        if self.engine.dialect.name == "postgresql":  # replicas skip each other's rows instead of waiting
            pick = pick.with_for_update(skip_locked=True)
        picked = pick.cte("picked")
        statement = (update(Notice).where(col(Notice.id).in_(select(picked.c.id)), due)
                     .values(status=NoticeStatus.SENDING.value, claimed_at=now).returning(col(Notice.id)))
        with self.engine.begin() as conn:
            return sorted(n for n in conn.execute(statement).scalars() if n is not None)

    def deliver_once(self, now: datetime | None = None) -> DeliveryReport:
        """Claim a batch and deliver it; a rate limit or an outage defers the rest of the batch."""
        start, began = aware(now), time.monotonic()

        def clock() -> datetime:
            return start + timedelta(seconds=time.monotonic() - began)

        report = DeliveryReport()
        claimed = self.claim(start)
        report.claimed = len(claimed)
        for i, notice_id in enumerate(claimed):
            pause = self._deliver(notice_id, start, clock, report)
            if pause is not None:
                rest = claimed[i + 1:]
                self._release(rest, start, pause)
                report.deferred += len(rest)
                break
        return report

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
                 report: DeliveryReport) -> datetime | None:
        with self.engine.begin() as conn:  # renew the lease; lost if another deliverer took over after it ran out
            if conn.execute(update(Notice).where(_mine([notice_id], token)).values(claimed_at=clock())).rowcount != 1:
                return None
        with Session(self.engine, expire_on_commit=False) as session:
            notice = session.get(Notice, notice_id)
            assert notice is not None
            try:
                self._post(session, notice, report, clock)
            except (SlackApiError, *NETWORK_ERRORS) as exc:
                return self._failed(session, notice, classify(exc), clock(), report)
        return None

    def _target(self, recipient: str) -> str:
        """Where a notice goes: the app's DM with a user (opened or found), else the channel (by id if possible)."""
        if _is_person(recipient):
            return str(self.client.conversations_open(users=recipient)["channel"]["id"])
        if recipient.startswith("#"):
            return channel_id(self.client, recipient, self._channel_ids) or recipient
        return recipient

    def _post(self, session: Session, notice: Notice, report: DeliveryReport, clock: Callable[[], datetime]) -> None:
        maybe_posted = notice.channel_id is not None  # a channel is stored only right before a post
        channel = notice.channel_id or self._target(notice.recipient_id)
        if (until := self._pace(notice, channel, clock())) is not None:
            notice.status, notice.claimed_at, notice.next_attempt_at = NoticeStatus.PENDING.value, None, until
            session.add(notice)
            session.commit()
            report.paced += 1
            return
        if notice.channel_id is None:
            notice.channel_id = channel
            session.add(notice)
            session.commit()
        if maybe_posted and (ts := self._find(channel, notice)) is not None:
            mark_sent(session, notice, message_ts=ts)
            session.commit()
            report.recovered += 1
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
        last = self._last_post.get(channel) or self._last_post.get(notice.recipient_id)
        if last is None or not last <= now < last + self.channel_interval:
            return None
        return last + self.channel_interval

    def _posted(self, notice: Notice, channel: str, now: datetime) -> None:
        if not _is_person(notice.recipient_id):
            self._last_post[channel] = self._last_post[notice.recipient_id] = now

    def _find(self, channel: str, notice: Notice) -> str | None:
        """The ts of the notice's message if an earlier attempt posted it (matched by idempotency key)."""
        if channel.startswith("#"):  # only a channel's id has a history
            channel = channel_id(self.client, channel, self._channel_ids) or channel
        if channel.startswith("#"):
            logger.warning("notice %s: cannot read the history of %s by name; posting again may duplicate it",
                           notice.id, channel)
            return None
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

    def _failed(self, session: Session, notice: Notice, outcome: Outcome, now: datetime,
                report: DeliveryReport) -> datetime | None:
        """Record a failure; the time to resume the batch when Slack as a whole is unavailable, else None."""
        if outcome.kind == "ratelimited":  # not an attempt: Slack asked us to wait
            delay = min(outcome.retry_after or self.base_backoff, self.max_retry_after)
            notice.last_error = outcome.error
        else:
            riding_out = outcome.kind == "outage" and notice.created_at > now - self.outage_grace
            give_up = outcome.kind == "permanent" or (notice.attempts + 1 >= self.max_attempts and not riding_out)
            mark_failed(session, notice, error=outcome.error, give_up=give_up)
            if give_up:
                session.commit()
                report.failed += 1
                logger.warning("notice %s (%s) to %s failed for good after %d attempt(s): %s",
                               notice.id, notice.kind, notice.recipient_id, notice.attempts, outcome.error)
                return None
            delay = min(self.max_backoff, self.base_backoff * 2 ** min(notice.attempts - 1, 30))
            delay *= self.rng.uniform(0.5, 1.0)
        notice.status, notice.claimed_at = NoticeStatus.PENDING.value, None
        notice.next_attempt_at = now + timedelta(seconds=delay)
        session.add(notice)
        session.commit()
        report.retried += 1
        logger.info("notice %s (%s): %s; retrying in %.1fs", notice.id, notice.kind, outcome.error, delay)
        return notice.next_attempt_at if outcome.kind in ("ratelimited", "outage") else None

    def _release(self, ids: list[int], token: datetime, until: datetime) -> None:
        if not ids:
            return
        with self.engine.begin() as conn:
            conn.execute(update(Notice).where(_mine(ids, token))
                         .values(status=NoticeStatus.PENDING.value, claimed_at=None, next_attempt_at=until))


def _mine(ids: list[int], token: datetime) -> ColumnElement[bool]:
    """Rows still claimed by the pass that claimed them at `token`."""
    return and_(col(Notice.id).in_(ids), col(Notice.status) == NoticeStatus.SENDING, col(Notice.claimed_at) == token)


def _is_person(recipient: str) -> bool:
    """A user id (a DM to them), as opposed to a channel id or #name."""
    return recipient[:1] in ("U", "W")
