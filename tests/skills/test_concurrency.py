"""Two clicks, two replicas: concurrent writers on PostgreSQL still produce one active enrolment."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from core.db import init_db, make_engine
from skills.enrolment import approve, enrol
from skills.errors import AlreadyEnrolled, InvalidTransition
from skills.models import Enrolment, EnrolmentEvent, Notice
from skills.nominations import nominate
from skills.policy import Policy
from tests.skills.factories import Org, make_org

WRITERS = 8


@pytest.fixture
def pg_org(postgres_url: str) -> Iterator[Org]:
    engine = make_engine(postgres_url)
    init_db(engine)
    yield make_org(engine)
    engine.dispose()


def race(engine: Engine, attempt: Callable[[Session, int], object]) -> list[str]:
    """Run `attempt(session, i)` in WRITERS threads released together, each with its own session; outcomes."""
    barrier = threading.Barrier(WRITERS)

    def one(i: int) -> str:
        with Session(engine) as session:
            barrier.wait()
            try:
                attempt(session, i)
                session.commit()
                return "ok"
            except (AlreadyEnrolled, InvalidTransition) as exc:
                session.rollback()
                return type(exc).__name__

    with ThreadPoolExecutor(WRITERS) as pool:
        return list(pool.map(one, range(WRITERS)))


def count(engine: Engine, model: type[Enrolment | Notice | EnrolmentEvent]) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_concurrent_enrol_clicks_make_one_enrolment(pg_org: Org) -> None:
    policy = Policy(approval_cost_threshold=500)
    outcomes = race(
        pg_org.engine,
        lambda s, _: enrol(session=s, actor=pg_org.dana, credential_id="cloud-arch", policy=policy),
    )
    assert sorted(outcomes) == ["AlreadyEnrolled"] * (WRITERS - 1) + ["ok"]
    assert count(pg_org.engine, Enrolment) == 1
    assert count(pg_org.engine, Notice) == 1  # the manager is asked once
    assert count(pg_org.engine, EnrolmentEvent) == 1


def test_concurrent_nomination_and_enrolment_make_one_enrolment(pg_org: Org) -> None:
    def attempt(session: Session, i: int) -> None:
        if i % 2:
            nominate(
                session=session,
                actor=pg_org.mia,
                employee_id="UDANA",
                credential_id="py-101",
                reason="Useful",
            )
        else:
            enrol(session=session, actor=pg_org.dana, credential_id="py-101", policy=Policy())

    outcomes = race(pg_org.engine, attempt)
    assert outcomes.count("ok") == 1
    assert count(pg_org.engine, Enrolment) == 1


def test_concurrent_approvals_record_one_decision(pg_org: Org) -> None:
    requested = pg_org.run(enrol, actor=pg_org.dana, credential_id="cloud-arch", policy=Policy())
    outcomes = race(
        pg_org.engine, lambda s, _: approve(session=s, actor=pg_org.mia, enrolment_id=requested.id)
    )
    assert sorted(outcomes) == ["InvalidTransition"] * (WRITERS - 1) + ["ok"]
    with Session(pg_org.engine) as session:
        actions = session.exec(select(EnrolmentEvent.action).order_by(col(EnrolmentEvent.id))).all()
    assert actions == ["request", "approve"]
