"""Claim rows with a lease in one statement: the one mechanism behind the work queue and the outbox.

`claim` marks up to `limit` due rows as taken (the `values` it sets carry the claim's token, usually the time)
and returns their ids. On PostgreSQL the candidates are picked FOR UPDATE SKIP LOCKED, so replicas take
different rows instead of waiting for each other; on SQLite the database has one writer at a time and the
UPDATE re-checks `due`, so two claimers can never both take a row. A claimer that dies leaves rows whose lease
runs out; `due` (written by the caller) includes those, so they are claimed again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement


def claim(engine: Engine, table: Any, key: Any, due: ColumnElement[bool], *,
          values: dict[str, Any], limit: int, order_by: Any = None) -> list[int]:
    """Take up to `limit` rows of `table` matching `due`, setting `values` on them; their ids, ascending."""
    pick: Select[Any] = select(key.label("id")).where(due).order_by(order_by if order_by is not None else key)
    pick = pick.limit(limit)
    if engine.dialect.name == "postgresql":  # replicas skip each other's rows instead of waiting
        pick = pick.with_for_update(skip_locked=True)
    picked = pick.cte("picked")
    statement = update(table).where(key.in_(select(picked.c.id)), due).values(**values).returning(key)
    with engine.begin() as conn:
        return sorted(n for n in conn.execute(statement).scalars() if n is not None)
