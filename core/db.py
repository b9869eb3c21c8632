"""The database engine and sessions: SQLite by default, PostgreSQL via DATABASE_URL."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event, make_url
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from core.settings import Settings, get_settings

# Modules that define tables; imported before create_all so every table is known.
MODEL_MODULES = ("knowledge.models", "skills.models", "skills.assistant.models", "core.queue",
                 "skills.issuing.models", "skills.console.models", "skills.records.models")


def make_engine(url: str) -> Engine:
    """Create an engine for the URL, with SQLite tuned for one writer and many readers.

    pysqlite starts transactions lazily, at the first write; that lets a writer wait its turn
    instead of failing, but a SAVEPOINT opened first commits on release: do not use
    `begin_nested()` on SQLite.
    """
    if url.startswith("sqlite"):
        _make_parent(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _make_parent(url: str) -> None:
    """Create a SQLite file's folder, so a fresh data dir works (in-memory URLs have none)."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def init_db(engine: Engine) -> None:
    """Create any missing tables."""
    for module in MODEL_MODULES:
        importlib.import_module(module)
    SQLModel.metadata.create_all(engine)


@lru_cache(maxsize=4)
def _engine_for(url: str) -> Engine:
    engine = make_engine(url)
    init_db(engine)
    return engine


def get_engine(settings: Settings | None = None) -> Engine:
    """The process-wide engine for the settings' database, tables created."""
    settings = settings or get_settings()
    if not settings.database_url:
        settings.badger_data_dir.mkdir(parents=True, exist_ok=True)
    return _engine_for(settings.resolved_database_url)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error."""
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
