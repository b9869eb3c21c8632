"""`badger db ...`: migrate the database with Alembic (SQLite or PostgreSQL)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated, Any

import typer
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from rich.markup import escape
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from bot.console import load_settings, out, user_errors
from core.db import MODEL_MODULES, make_engine
from core.errors import ConfigurationError

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

app = typer.Typer(add_completion=False, help="Create and migrate Badger's database.", no_args_is_help=True)


def migration_config(connection: Connection | None = None) -> Config:
    """An Alembic config for Badger's migrations, optionally bound to an open connection."""
    if not (MIGRATIONS / "env.py").is_file():
        raise ConfigurationError(f"Badger's migrations are missing (looked in {MIGRATIONS}).")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest migration shipped with this version of Badger."""
    return ScriptDirectory.from_config(migration_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    """The migration the database is at (None when it was never migrated)."""
    return MigrationContext.configure(connection).get_current_revision()


def schema_differences(connection: Connection) -> list[Any]:
    """How the database differs from the models (Alembic autogenerate's diff; empty when in step)."""
    for module in MODEL_MODULES:
        importlib.import_module(module)
    return list(compare_metadata(MigrationContext.configure(connection), SQLModel.metadata))


def _adopt_unversioned(connection: Connection, config: Config) -> None:
    """Tables made by create_all (the app's first start) get the missing ones added and are stamped."""
    for module in MODEL_MODULES:
        importlib.import_module(module)
    SQLModel.metadata.create_all(connection)
    differences = schema_differences(connection)
    if differences:
        raise ConfigurationError(
            "The database has tables that Badger's migrations did not create and that differ from its models "
            f"(first difference: {differences[0]!r}); migrate it by hand or start from an empty database."
        )
    command.stamp(config, "head")


def upgrade_database(url: str, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate the database at `url` to `revision`; returns (revision before, revision after)."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = migration_config(connection)
            before = current_revision(connection)
            if before is None and inspect(connection).get_table_names():
                _adopt_unversioned(connection, config)
            command.upgrade(config, revision)
            return before, current_revision(connection)
    finally:
        engine.dispose()


def _database_url() -> str:
    settings = load_settings()
    if not settings.database_url:
        settings.badger_data_dir.mkdir(parents=True, exist_ok=True)
    return settings.resolved_database_url


@app.command("upgrade")
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target migration; the newest by default.")] = "head",
) -> None:
    """Create or migrate the database (DATABASE_URL, or SQLite in the data dir) to the newest schema."""
    with user_errors():
        before, after = upgrade_database(_database_url(), revision)
    if before == after:
        out.print(f"Database already at migration {escape(str(after))}.")
    else:
        out.print(
            f"[green]Database migrated[/green] from {escape(str(before or 'none'))} to {escape(str(after))}."
        )


@app.command("current")
def current() -> None:
    """Show the database's migration and the newest one available."""
    engine = make_engine(_database_url())
    try:
        with engine.connect() as connection:
            revision = current_revision(connection)
    finally:
        engine.dispose()
    head = head_revision()
    state = "up to date" if revision == head else "run `badger db upgrade`"
    out.print(
        f"Database at {escape(str(revision or 'no migration'))}; newest is {escape(str(head))} ({state})."
    )
