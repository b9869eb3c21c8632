"""Alembic environment: Badger's models are the target; the URL comes from Badger's settings."""

from __future__ import annotations

import importlib

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from core.db import MODEL_MODULES, make_engine
from core.settings import get_settings

for module in MODEL_MODULES:
    importlib.import_module(module)

target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    # Batch mode lets later migrations alter columns on SQLite, which has no real ALTER TABLE.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit SQL to stdout (`alembic upgrade head --sql`)."""
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through the connection the caller passed in, or one to the configured database."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
