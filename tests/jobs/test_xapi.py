"""Sending xAPI statements to a loopback LRS: headers, batches, the id-conflict rule, outages, refusals, voids."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlmodel import Session, col, select

from bot.slack.outbox import Deliverer
from core.db import get_engine, init_db, make_engine
from core.settings import Settings, get_settings
from jobs.registry import JOBS
from jobs.xapi import StatementSender, lrs_client
from skills.models import Notice
from skills.records.rights import erase
from skills.records.xapi import KIND, XapiConfig, queue_statements
from tests.fakes.lrs_server import FakeLRS
from tests.fakes.slack_server import FakeSlack
from tests.skills.factories import Org, make_org
from tests.skills.records.records_helpers import make_history

LATER = datetime(2100, 1, 1, tzinfo=UTC)  # past any back-off


@pytest.fixture
def lrs(job_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLRS]:
    """A fake LRS that the job settings point at, with Basic auth and small batches."""
    fake = FakeLRS()
    for name, value in {"XAPI_ENDPOINT": fake.endpoint, "XAPI_USERNAME": "lrs-user", "XAPI_PASSWORD": "lrs-pass",
                        "XAPI_HOMEPAGE": "https://acme.slack.com", "XAPI_BATCH_SIZE": "3"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield fake
    fake.stop()


def send(now: datetime | None = None) -> dict[str, int]:
    """Run the scheduled xAPI job once."""
    return JOBS["xapi"].function()(now=now)


def rows() -> list[Notice]:
    """Every xAPI outbox row."""
    with Session(get_engine()) as session:
        return list(session.exec(select(Notice).where(Notice.kind == KIND).order_by(col(Notice.id))))


def test_statements_reach_the_lrs_once_in_batches_with_the_headers(job_org: Org, lrs: FakeLRS) -> None:
    make_history(job_org)
    summary = send()
    assert (summary["queued"], summary["sent"], summary["failed"]) == (7, 7, 0)
    assert len(lrs.statements) == 7
    posts = [r for r in lrs.requests if r[0] == "POST"]
    assert [len(body) for _, _, _, body in posts] == [3, 3, 1]  # XAPI_BATCH_SIZE=3
    _, path, headers, _ = posts[0]
    assert path == "/xapi/statements" and headers["X-Experience-API-Version"] == "1.0.3"
    assert headers["Authorization"].startswith("Basic ")
    assert send()["queued"] == 0 and len(lrs.requests) == 3  # nothing new: nothing sent again
    assert {r.status for r in rows()} == {"sent"}


def test_a_statement_the_lrs_already_has_counts_as_sent(job_org: Org, lrs: FakeLRS) -> None:
    make_history(job_org)
    send()
    with Session(get_engine()) as session:  # as if a crash lost "sent" after the LRS stored the batch
        for row in session.exec(select(Notice).where(Notice.kind == KIND)):
            row.status = "pending"
            session.add(row)
        session.commit()
    summary = send()
    assert (summary["sent"], summary["duplicates"], summary["failed"]) == (0, 7, 0)
    assert len(lrs.statements) == 7 and {r.status for r in rows()} == {"sent"}
    assert any(method == "PUT" for method, *_ in lrs.requests)


def test_an_lrs_that_is_down_is_retried_later(job_org: Org, lrs: FakeLRS) -> None:
    make_history(job_org)
    lrs.down = True
    summary = send(now=datetime.now(UTC))
    assert (summary["sent"], summary["retried"]) == (0, 3)  # one batch tried, then the job stops
    waiting = [r for r in rows() if r.attempts]
    assert {r.status for r in waiting} == {"pending"} and all("503" in (r.last_error or "") for r in waiting)
    assert all(r.next_attempt_at and r.next_attempt_at > datetime.now(UTC) - timedelta(seconds=1) for r in waiting)
    lrs.down = False
    assert send(now=LATER)["sent"] == 7 and len(lrs.statements) == 7


def test_a_refused_statement_fails_clearly_and_the_rest_go(job_org: Org, lrs: FakeLRS,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    make_history(job_org)
    with Session(get_engine()) as session:
        queue_statements(session, XapiConfig(homepage="https://acme.slack.com"))
    bad = rows()[1].payload["statement"]["id"]
    lrs.refuse.add(bad)
    with caplog.at_level(logging.ERROR, logger="jobs.xapi"):
        summary = send()
    assert (summary["sent"], summary["failed"]) == (6, 1)
    [failed] = [r for r in rows() if r.status == "failed"]
    assert failed.payload["statement"]["id"] == bad
    assert "LRS refused the statement with 400" in (failed.last_error or "")
    assert f"xapi statement {bad}" in caplog.text and "lrs-pass" not in caplog.text


def test_bearer_auth_and_a_wrong_token(job_org: Org, monkeypatch: pytest.MonkeyPatch, job_settings: Settings) -> None:
    fake = FakeLRS(token="s3cret-token")
    try:
        monkeypatch.setenv("XAPI_ENDPOINT", fake.endpoint)
        monkeypatch.setenv("XAPI_TOKEN", "wrong-token")
        get_settings.cache_clear()
        make_history(job_org)
        assert send()["failed"] == 7
        assert all("401" in (r.last_error or "") for r in rows())
        monkeypatch.setenv("XAPI_TOKEN", "s3cret-token")
        get_settings.cache_clear()
        with Session(get_engine()) as session:
            for row in session.exec(select(Notice).where(Notice.kind == KIND)):
                row.status = "pending"
                session.add(row)
            session.commit()
        assert send()["sent"] == 7
        assert fake.requests[-1][2]["Authorization"] == "Bearer s3cret-token"
    finally:
        fake.stop()


def test_erasure_voids_the_persons_statements(job_org: Org, lrs: FakeLRS) -> None:
    make_history(job_org)
    send()
    dana = {i for i, s in lrs.statements.items() if s["actor"]["account"]["name"] == "UDANA"}
    report = erase(get_engine(), actor=job_org.ada, user_id="UDANA",
                   xapi=XapiConfig.from_settings(get_settings()))
    assert report.voids_queued == 5
    send()
    voids = [s for s in lrs.statements.values() if s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/voided"]
    assert {v["object"]["id"] for v in voids} == dana
    assert all(v["object"]["objectType"] == "StatementRef" and "UDANA" not in str(v) for v in voids)
    assert send()["sent"] == 0  # the erased person's events are gone: nothing is queued again


def test_the_slack_deliverer_never_claims_xapi_rows(job_org: Org, slack: FakeSlack) -> None:
    with Session(get_engine()) as session:
        session.add(Notice(kind=KIND, recipient_id="xapi", idempotency_key="xapi:1", payload={"statement": {}}))
        session.commit()
    assert Deliverer(WebClient(base_url=slack.api_url), get_engine()).claim(datetime.now(UTC)) == []


def test_two_senders_on_postgresql_share_the_work_without_doubles(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    init_db(engine)
    fake = FakeLRS()
    try:
        make_history(make_org(engine))
        with Session(engine) as session:
            assert queue_statements(session, XapiConfig(homepage="https://acme.slack.com")) == 7
        settings = Settings(_env_file=None, xapi_endpoint=fake.endpoint, xapi_username="lrs-user",  # type: ignore[call-arg]
                            xapi_password="lrs-pass")
        with lrs_client(settings) as one, lrs_client(settings) as two:
            first, second = StatementSender(one, engine, batch_size=4), StatementSender(two, engine, batch_size=4)
            now = datetime.now(UTC)
            claimed = [first.claim(now), second.claim(now)]
            assert sorted(claimed[0] + claimed[1]) == sorted({*claimed[0], *claimed[1]}) and len(claimed[1]) == 3
            assert first.send_once(LATER).sent + second.send_once(LATER).sent == 7  # leases ran out: re-claimed
        assert len(fake.statements) == 7
    finally:
        fake.stop()
        engine.dispose()
