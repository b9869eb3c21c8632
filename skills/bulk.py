"""Bulk outbox writes: many notices in few statements, rows whose idempotency key exists are skipped."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlmodel import Session, col

from skills.models import Enrolment, Notice, NoticeStatus, utcnow

CHUNK = 5_000
_COLUMNS = ("kind", "recipient_id", "enrolment_id", "payload", "idempotency_key", "status", "attempts", "created_at")


def notice_row(
    *, kind: str, recipient_id: str, idempotency_key: str, payload: dict[str, Any], enrolment_id: int | None = None
) -> dict[str, Any]:
    """Column values of one pending notice, for `insert_notices`."""
    return {
        "kind": kind,
        "recipient_id": recipient_id,
        "enrolment_id": enrolment_id,
        "payload": payload,
        "idempotency_key": idempotency_key,
        "status": NoticeStatus.PENDING.value,
        "attempts": 0,
    }


def _existing(connection: Connection, keys: list[str]) -> set[str]:
    query = select(col(Notice.idempotency_key)).where(col(Notice.idempotency_key).in_(keys))
    return set(connection.execute(query).scalars())


def _sqlite(connection: Connection, rows: list[dict[str, Any]], created: datetime) -> list[str]:
    """Straight to the driver (SQLAlchemy's per-value processing would dominate a sweep); the keys inserted."""
    sql = (f"INSERT INTO notice ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
           "ON CONFLICT (idempotency_key) DO NOTHING")
    stamp = created.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # how SQLAlchemy stores it in SQLite
    result = connection.exec_driver_sql(sql, [
        (r["kind"], r["recipient_id"], r["enrolment_id"], json.dumps(r["payload"]), r["idempotency_key"],
         r["status"], r["attempts"], stamp) for r in rows
    ])
    keys = [row["idempotency_key"] for row in rows]
    if result.rowcount == len(rows):  # sqlite3 sums executemany's changes; skipped rows change nothing
        return keys
    query = select(col(Notice.idempotency_key)).where(col(Notice.idempotency_key).in_(keys),
                                                      col(Notice.created_at) == created)
    return list(connection.execute(query).scalars())  # some existed already: ours carry this call's timestamp


def insert_notices(session: Session, rows: Sequence[dict[str, Any]]) -> list[str]:
    """Insert pending notices, skipping keys already queued (also by a concurrent writer); the keys inserted."""
    connection = session.connection()
    dialect = connection.dialect.name
    created = utcnow()
    inserted: list[str] = []
    for start in range(0, len(rows), CHUNK):
        chunk = [{**row, "created_at": created} for row in rows[start : start + CHUNK]]
        if dialect == "sqlite":
            inserted.extend(_sqlite(connection, chunk, created))
        elif dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            statement = pg_insert(Notice).on_conflict_do_nothing(index_elements=["idempotency_key"])
            inserted.extend(connection.execute(statement.returning(col(Notice.idempotency_key)), chunk).scalars())
        else:  # another database: leave out the keys already there (a concurrent twin fails on the unique key)
            seen = _existing(connection, [row["idempotency_key"] for row in chunk])
            fresh = [row for row in chunk if row["idempotency_key"] not in seen]
            if fresh:
                connection.execute(insert(Notice), fresh)
            inserted.extend(row["idempotency_key"] for row in fresh)
    return inserted


def mark_reminded(session: Session, enrolment_ids: Sequence[int], when: datetime) -> None:
    """Set the enrolments' `last_reminded_at` (no version bump: it is the sweep's bookkeeping, not a transition)."""
    if not enrolment_ids:
        return
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        stamp = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        connection.exec_driver_sql("UPDATE enrolment SET last_reminded_at = ? WHERE id = ?",
                                   [(stamp, i) for i in enrolment_ids])
        return
    statement = update(Enrolment).where(col(Enrolment.id) == bindparam("reminded_id")).values(last_reminded_at=when)
    connection.execute(statement, [{"reminded_id": i} for i in enrolment_ids])
