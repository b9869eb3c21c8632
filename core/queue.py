"""The durable work queue: what is left to do after an ack, one row per Slack request, claimed with a lease.

The ack writes one row keyed by the request's id (a retried or duplicated id writes nothing). Workers in any
replica claim a row (core.lease), do it, and mark it done with the claim's token; a worker that died leaves a
row whose lease runs out and another claims it. A worker renews its lease while it works; one that lost it
(`still_mine` is False) does not post, `finish` only succeeds for the current holder, and a done row is never
due again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, and_, delete, func, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Field, Session, SQLModel, col, select

from core import lease
from core.clock import aware


class WorkStatus(StrEnum):
    """Where a work item stands."""

    PENDING = "pending"
    WORKING = "working"
    DONE = "done"


class WorkItem(SQLModel, table=True):
    """One piece of work acknowledged to Slack and not yet done (or done: kept a while as proof)."""

    __tablename__ = "work_item"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)  # the Slack request's or event's id
    kind: str = Field(max_length=40)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=WorkStatus.PENDING.value, max_length=10, index=True)
    attempts: int = 0
    holder: str | None = Field(default=None, max_length=200)  # the worker that holds the claim
    claimed_at: datetime | None = None  # the claim's token; the lease runs from here
    created_at: datetime = Field(default_factory=lambda: aware(None))
    done_at: datetime | None = None
    outcome: str | None = Field(default=None, max_length=40)  # answered, answered_by_dm, expired, failed


@dataclass(frozen=True)
class Claim:
    """A claimed item: its id, payload, age and the token that proves the claim is still ours."""

    id: int
    key: str
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    token: datetime
    attempts: int
    holder: str


def enqueue(engine: Engine, *, key: str, kind: str, payload: dict[str, Any]) -> bool:
    """Write one work row in one INSERT; False when the key was already there (a retry or a duplicate)."""
    row = {"key": key[:200], "kind": kind, "payload": payload, "status": WorkStatus.PENDING.value, "attempts": 0,
           "created_at": aware(None)}
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    statement = (insert(WorkItem).values(**row).on_conflict_do_nothing(index_elements=["key"])
                 .returning(col(WorkItem.id)))
    with engine.begin() as conn:
        return conn.execute(statement).scalar() is not None


def _due(now: datetime, lease_for: timedelta) -> ColumnElement[bool]:
    return or_(col(WorkItem.status) == WorkStatus.PENDING,
               and_(col(WorkItem.status) == WorkStatus.WORKING, col(WorkItem.claimed_at) < now - lease_for))


def claim(engine: Engine, *, holder: str, lease_for: timedelta, limit: int = 1,
          now: datetime | None = None) -> list[Claim]:
    """Take up to `limit` due items (pending, or held by a worker whose lease ran out), oldest first."""
    token = aware(now)
    ids = lease.claim(engine, WorkItem, col(WorkItem.id), _due(token, lease_for), limit=limit,
                      values={"status": WorkStatus.WORKING.value, "claimed_at": token, "holder": holder[:200],
                              "attempts": WorkItem.attempts + 1})
    if not ids:
        return []
    with Session(engine) as session:
        rows = session.exec(select(WorkItem).where(col(WorkItem.id).in_(ids)).order_by(col(WorkItem.id))).all()
        return [Claim(r.id or 0, r.key, r.kind, dict(r.payload), aware(r.created_at), token, r.attempts,
                      holder[:200])
                for r in rows]


def _mine(item: Claim) -> ColumnElement[bool]:
    # A holder names one worker, which works on one item at a time: whoever took the item over has another name.
    return and_(col(WorkItem.id) == item.id, col(WorkItem.status) == WorkStatus.WORKING,
                col(WorkItem.holder) == item.holder)


def renew(engine: Engine, item: Claim, *, now: datetime | None = None) -> bool:
    """Extend the lease of an item still being worked on; False when it was lost to another worker."""
    with engine.begin() as conn:
        return conn.execute(update(WorkItem).where(_mine(item)).values(claimed_at=aware(now))).rowcount == 1


def still_mine(engine: Engine, item: Claim) -> bool:
    """True while nobody else has taken the item over (its lease was not lost)."""
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(WorkItem).where(_mine(item))).scalar_one() == 1


def finish(engine: Engine, item: Claim, *, outcome: str) -> bool:
    """Mark a claimed item done; False when the claim was lost (another worker has it now)."""
    with engine.begin() as conn:
        done = conn.execute(update(WorkItem).where(_mine(item)).values(
            status=WorkStatus.DONE.value, done_at=aware(None), outcome=outcome[:40]))
        return done.rowcount == 1


def release(engine: Engine, *, holder: str) -> int:
    """Give back every unfinished claim of a holder (a worker shutting down); the number released."""
    with engine.begin() as conn:
        result = conn.execute(update(WorkItem).where(col(WorkItem.holder) == holder[:200],
                                                     col(WorkItem.status) == WorkStatus.WORKING)
                              .values(status=WorkStatus.PENDING.value, claimed_at=None, holder=None))
        return int(result.rowcount or 0)


@dataclass(frozen=True)
class Depth:
    """Items not done yet and how long the oldest has waited (seconds; 0 when empty)."""

    pending: int
    working: int
    oldest_age: float


def depth(engine: Engine, *, now: datetime | None = None) -> Depth:
    """The queue's depth, for /metrics and the benchmark."""
    with engine.connect() as conn:
        counts = dict(conn.execute(select(col(WorkItem.status), func.count())
                                   .where(col(WorkItem.status) != WorkStatus.DONE)
                                   .group_by(col(WorkItem.status))).all())
        oldest = conn.execute(select(func.min(WorkItem.created_at))
                              .where(col(WorkItem.status) != WorkStatus.DONE)).scalar_one()
    age = max(0.0, (aware(now) - aware(oldest)).total_seconds()) if oldest is not None else 0.0
    return Depth(int(counts.get(WorkStatus.PENDING.value, 0)), int(counts.get(WorkStatus.WORKING.value, 0)), age)


def prune(engine: Engine, *, older_than: timedelta = timedelta(days=2), now: datetime | None = None) -> int:
    """Forget done items older than Slack's retry window; the number removed."""
    with engine.begin() as conn:
        result = conn.execute(delete(WorkItem).where(
            col(WorkItem.status) == WorkStatus.DONE, col(WorkItem.done_at) < aware(now) - older_than))
        return int(result.rowcount or 0)
