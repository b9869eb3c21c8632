"""Exactly once under retries and concurrency: eight managers' clicks at once issue one badge (both databases)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from skills.issuing.models import IssuedCredential
from skills.models import Notice
from skills.notices import Kind
from skills.recognition import ShoutoutPolicy, award
from tests.skills.factories import Org

WRITERS = 8


def test_concurrent_awards_issue_one_badge_and_one_dm(self_org: Org, policy: ShoutoutPolicy) -> None:
    barrier = threading.Barrier(WRITERS)

    def one(i: int) -> str:
        with Session(self_org.engine) as session:
            barrier.wait()
            try:
                award(session=session, actor=self_org.mia if i % 2 else self_org.ada, employee_id="UDANA",
                      credential_id="lead-101", policy=policy)
                session.commit()
                return "ok"
            except (IntegrityError, OperationalError, StaleDataError) as exc:  # a lost race rolls back whole
                session.rollback()
                return type(exc).__name__

    with ThreadPoolExecutor(WRITERS) as pool:
        outcomes = list(pool.map(one, range(WRITERS)))
    assert "ok" in outcomes
    with Session(self_org.engine) as session:
        assert len(session.exec(select(IssuedCredential)).all()) == 1
        kinds = [n.kind for n in session.exec(select(Notice))]
    assert kinds.count(Kind.BADGE_ISSUED) == 1 and kinds.count(Kind.SHOUTOUT) == 1
