"""Send queued xAPI statements (outbox rows of kind "xapi") to the learning record store, in batches.

A pass claims due rows with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL), POSTs them as one batch and marks them
sent. The LRS refuses a batch holding an id it already has (409): then each goes alone by PUT, where 409 means
"already recorded", i.e. success. Any other 4xx is a clear, logged failure of that statement; 5xx or no answer
backs the batch off exponentially and the rows stay pending.
"""

from __future__ import annotations

import logging
import random
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import and_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core import lease
from core.clock import aware
from core.db import get_engine
from core.settings import Settings, get_settings
from skills.models import Notice, NoticeStatus, utcnow
from skills.notices import due_notices
from skills.records.xapi import KIND, VERSION, XapiConfig, queue_statements

logger = logging.getLogger(__name__)


@dataclass
class SendReport:
    """What one pass did."""

    claimed: int = 0
    sent: int = 0
    duplicates: int = 0  # the LRS already had them: counted as sent
    failed: int = 0
    retried: int = 0


def lrs_client(settings: Settings, *, timeout: float = 10.0) -> httpx.Client:
    """An HTTP client for XAPI_ENDPOINT with the version header and Basic or bearer auth."""
    if not settings.xapi_endpoint:
        raise ValueError("XAPI_ENDPOINT is not set")
    headers = {"X-Experience-API-Version": VERSION, "Content-Type": "application/json"}
    auth: httpx.BasicAuth | None = None
    if settings.xapi_token is not None:
        headers["Authorization"] = f"Bearer {settings.xapi_token.get_secret_value()}"
    elif settings.xapi_username:
        password = settings.xapi_password.get_secret_value() if settings.xapi_password else ""
        auth = httpx.BasicAuth(settings.xapi_username, password)
    return httpx.Client(base_url=settings.xapi_endpoint, headers=headers, auth=auth, timeout=timeout)


class StatementSender:
    """Delivers xAPI outbox rows; safe in several threads or replicas over one database."""

    def __init__(self, client: httpx.Client, engine: Engine, *, batch_size: int = 50, lease_seconds: float = 120.0,
                 base_backoff: float = 5.0, max_backoff: float = 3600.0, rng: random.Random | None = None) -> None:
        self.client, self.engine, self.batch_size = client, engine, batch_size
        self.lease = timedelta(seconds=lease_seconds)
        self.base_backoff, self.max_backoff = base_backoff, max_backoff
        self.rng = rng or random.Random()  # jitter only

    def claim(self, now: datetime) -> list[int]:
        """Take up to a batch of due statements (and ones whose sender died) in one statement."""
        due = and_(col(Notice.kind) == KIND, due_notices(now, self.lease))
        return lease.claim(self.engine, Notice, col(Notice.id), due, limit=self.batch_size,
                           values={"status": NoticeStatus.SENDING.value, "claimed_at": now})

    def send_once(self, now: datetime | None = None) -> SendReport:
        """Claim a batch and send it."""
        start = aware(now).astimezone(UTC)
        report = SendReport()
        ids = self.claim(start)
        report.claimed = len(ids)
        if not ids:
            return report
        with Session(self.engine, expire_on_commit=False) as session:
            rows = list(session.exec(select(Notice).where(col(Notice.id).in_(ids)).order_by(col(Notice.id))))
            try:
                response = self.client.post("statements", json=[r.payload["statement"] for r in rows])
            except httpx.TransportError as exc:
                self._retry(session, rows, start, f"LRS unreachable: {type(exc).__name__}", report)
                return report
            if response.status_code in (200, 204):
                for row in rows:
                    self._sent(session, row, report)
            elif response.status_code in (400, 409):  # one bad or known statement sinks a batch: send each alone
                for row in rows:
                    self._one(session, row, start, report)
            elif response.status_code >= 500 or response.status_code == 429:
                self._retry(session, rows, start, f"LRS answered {response.status_code}", report)
            else:
                for row in rows:
                    self._fail(session, row, response, report)
            session.commit()
        return report

    def _one(self, session: Session, row: Notice, now: datetime, report: SendReport) -> None:
        statement = row.payload["statement"]
        try:
            response = self.client.put("statements", params={"statementId": statement["id"]}, json=statement)
        except httpx.TransportError as exc:
            self._retry(session, [row], now, f"LRS unreachable: {type(exc).__name__}", report)
            return
        if response.status_code in (200, 204):
            self._sent(session, row, report)
        elif response.status_code == 409:  # the LRS holds this id already: recorded once, as intended
            report.duplicates += 1
            self._sent(session, row, report, count=False)
        elif response.status_code >= 500 or response.status_code == 429:
            self._retry(session, [row], now, f"LRS answered {response.status_code}", report)
        else:
            self._fail(session, row, response, report)

    def _sent(self, session: Session, row: Notice, report: SendReport, *, count: bool = True) -> None:
        row.status, row.sent_at, row.claimed_at, row.next_attempt_at = NoticeStatus.SENT.value, utcnow(), None, None
        row.attempts += 1
        session.add(row)
        report.sent += int(count)

    def _fail(self, session: Session, row: Notice, response: httpx.Response, report: SendReport) -> None:
        detail = response.text[:300].replace("\n", " ")
        row.status, row.claimed_at, row.attempts = NoticeStatus.FAILED.value, None, row.attempts + 1
        row.last_error = f"LRS refused the statement with {response.status_code}: {detail}"[:500]
        session.add(row)
        report.failed += 1
        logger.error("xapi statement %s (row %s) refused by the LRS with %d: %s",
                     row.payload["statement"].get("id"), row.id, response.status_code, detail)

    def _retry(self, session: Session, rows: list[Notice], now: datetime, error: str, report: SendReport) -> None:
        for row in rows:
            row.attempts += 1
            delay = min(self.max_backoff, self.base_backoff * 2 ** min(row.attempts - 1, 20))
            row.status, row.claimed_at, row.last_error = NoticeStatus.PENDING.value, None, error
            row.next_attempt_at = now + timedelta(seconds=delay * self.rng.uniform(0.5, 1.0))
            session.add(row)
        session.commit()
        report.retried += len(rows)
        logger.warning("xapi: %s; %d statement(s) wait for the next attempt", error, len(rows))


def send_statements(now: datetime | None = None, *, max_batches: int = 20) -> dict[str, Any]:
    """Queue statements for new audit events, then send what is due (stops early when the LRS is down)."""
    settings = get_settings()
    if not settings.xapi_endpoint:
        return {"skipped": True, "queued": 0, "sent": 0}
    engine = get_engine(settings)
    with Session(engine) as session:
        queued = queue_statements(session, XapiConfig.from_settings(settings))
    total = SendReport()
    with lrs_client(settings) as client:
        sender = StatementSender(client, engine, batch_size=settings.xapi_batch_size)
        for _ in range(max_batches):
            report = sender.send_once(now)
            for key, value in asdict(report).items():
                setattr(total, key, getattr(total, key) + value)
            if report.claimed < sender.batch_size or report.retried:
                break
    logger.info("job.xapi queued=%d sent=%d duplicates=%d failed=%d retried=%d", queued, total.sent,
                total.duplicates, total.failed, total.retried)
    return {"skipped": False, "queued": queued, **asdict(total)}
