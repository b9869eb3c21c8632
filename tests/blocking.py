"""Race tests: wait until a racing thread is really blocked on another transaction's lock (no fixed sleeps)."""

from __future__ import annotations

import sys
import threading
import time

from sqlalchemy import text
from sqlalchemy.engine import Engine

WRITES = ("INSERT", "UPDATE", "DELETE")


def wait_until_blocked(engine: Engine, racer: threading.Thread, timeout: float = 30.0) -> None:
    """Return once `racer` waits for a lock held by an open transaction of this test.

    PostgreSQL shows it: a backend of this database waits with wait_event_type 'Lock'. SQLite has no such
    view, so the racer's own stack is read: inside the driver's execute of a write while another
    transaction holds the write lock, it can only be waiting for that lock.
    """
    deadline = time.monotonic() + timeout
    blocked = _pg_blocked if engine.dialect.name == "postgresql" else _sqlite_blocked
    while not blocked(engine, racer):
        assert racer.is_alive(), "the racer finished without waiting for the lock"
        assert time.monotonic() < deadline, "the racer never waited for the lock"
        time.sleep(0.005)


def _pg_blocked(engine: Engine, racer: threading.Thread) -> bool:
    with engine.connect() as connection:
        waiting = connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")).scalar_one()
    return bool(waiting)


def _sqlite_blocked(_engine: Engine, racer: threading.Thread) -> bool:
    frame = sys._current_frames().get(racer.ident or -1)  # its innermost Python frame
    if frame is None or not frame.f_code.co_name.startswith("do_execute"):
        return False
    return str(frame.f_locals.get("statement", "")).lstrip().upper().startswith(WRITES)
