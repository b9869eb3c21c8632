"""Alembic migrations: they build the models' schema exactly, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from bot.cli_db import current_revision, head_revision, migration_config, schema_differences, upgrade_database
from core.db import init_db, make_engine
from core.errors import ConfigurationError
from knowledge.models import Credential
from skills.models import Employee, Enrolment
from tests.skills.factories import credential


@pytest.fixture
def bare(db_url: str) -> Iterator[Engine]:
    """An engine on an empty database (no tables)."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def test_upgrade_builds_exactly_the_models_schema(db_url: str, bare: Engine) -> None:
    assert upgrade_database(db_url) == (None, head_revision())
    with bare.connect() as connection:
        assert current_revision(connection) == head_revision()
        assert schema_differences(connection) == []  # a model change without a migration fails here
    assert upgrade_database(db_url) == (head_revision(), head_revision())


def test_migrated_database_enforces_one_active_enrolment(db_url: str, bare: Engine) -> None:
    upgrade_database(db_url)
    with Session(bare) as session:
        session.add(Employee(user_id="UDANA", name="Dana"))
        session.add(credential("py-101", "Python"))
        session.commit()
        session.add(Enrolment(employee_id="UDANA", credential_id="py-101", state="withdrawn"))
        session.add(Enrolment(employee_id="UDANA", credential_id="py-101", state="approved"))
        session.commit()
        session.add(Enrolment(employee_id="UDANA", credential_id="py-101", state="requested"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_tables_made_at_first_start_are_adopted(db_url: str, bare: Engine) -> None:
    init_db(bare)  # what the app does when it starts before anyone ran `badger db upgrade`
    with Session(bare) as session:
        session.add(Employee(user_id="UDANA", name="Dana"))
        session.commit()
    assert upgrade_database(db_url) == (None, head_revision())
    with Session(bare) as session:
        assert session.get(Employee, "UDANA") is not None


def test_a_catalogue_only_database_gets_the_missing_tables(db_url: str, bare: Engine) -> None:
    SQLModel.metadata.create_all(bare, tables=[Credential.__table__])  # type: ignore[list-item]
    upgrade_database(db_url)
    with bare.connect() as connection:
        assert {"employee", "enrolment", "notice"} <= set(inspect(connection).get_table_names())
        assert schema_differences(connection) == []


def test_a_foreign_schema_is_not_stamped(db_url: str, bare: Engine) -> None:
    with bare.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE employee (user_id VARCHAR(40) PRIMARY KEY)")
    with pytest.raises(ConfigurationError, match="differ from its models"):
        upgrade_database(db_url)


def test_downgrade_removes_everything(db_url: str, bare: Engine) -> None:
    upgrade_database(db_url)
    with bare.begin() as connection:
        command.downgrade(migration_config(connection), "base")
    with bare.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
