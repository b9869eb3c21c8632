"""The deliverer posts to several channels at once, one post a second per channel, and obeys Slack's 429s."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.slack.outbox import Deliverer
from core.db import init_db, make_engine
from skills.models import Notice, utcnow
from skills.notices import Kind, add_notice
from tests.fakes.slack_server import Call, FakeSlack

CHANNELS = ["CALPHA", "CBRAVO", "CCHARLIE", "CDELTA"]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A fresh SQLite database with every table."""
    engine = make_engine(f"sqlite:///{tmp_path / 'badger.db'}")
    init_db(engine)
    yield engine
    engine.dispose()


def queue(engine: Engine, recipients: list[str]) -> None:
    """One reminder notice per recipient (a channel id or a user id), in order."""
    with Session(engine) as session:
        for i, recipient in enumerate(recipients):
            add_notice(session, kind=Kind.REMINDER, recipient_id=recipient, idempotency_key=f"test:{i}:{recipient}",
                       payload={"reason": "stalled", "credential_title": "Python 101", "percent": 10})
        session.commit()


def deliverer(slack: FakeSlack, engine: Engine, **knobs: Any) -> Deliverer:
    """The real deliverer against the fake Slack."""
    return Deliverer(WebClient(token="xoxb-test", base_url=slack.api_url), engine, rng=random.Random(5), **knobs)


def notices(engine: Engine) -> list[Notice]:
    """Every outbox row, oldest first."""
    with Session(engine) as session:
        return list(session.exec(select(Notice).order_by(col(Notice.id))))


def keys_posted(slack: FakeSlack) -> list[str]:
    """The idempotency key of every message that landed in Slack."""
    return [m["metadata"]["event_payload"]["idempotency_key"] for ms in slack.messages.values() for m in ms]


def deliver_all(outbox: Deliverer, engine: Engine, timeout: float = 30.0) -> None:
    """Run passes (real clock) until every notice is sent."""
    deadline = time.monotonic() + timeout
    while {n.status for n in notices(engine)} != {"sent"}:
        assert time.monotonic() < deadline, [(n.recipient_id, n.status) for n in notices(engine)]
        if not outbox.deliver_once().claimed:
            time.sleep(0.05)  # poll: paced notices come due within a second


def posts(slack: FakeSlack) -> list[Call]:
    return slack.of("chat.postMessage")


def ratelimited(method: str, scope: str) -> float:
    """The deliverer's 429 counter for a method and the scope it paused."""
    return REGISTRY.get_sample_value("badger_slack_ratelimited_total", {"method": method, "scope": scope}) or 0.0


def test_posts_overlap_across_channels_and_never_come_twice_a_second_to_one(slack: FakeSlack, engine: Engine) -> None:
    slack.latency = 0.15
    queue(engine, CHANNELS * 3)
    deliver_all(deliverer(slack, engine, concurrency=4), engine)
    calls = posts(slack)
    assert len(calls) == 12 and sorted(keys_posted(slack)) == sorted(n.idempotency_key for n in notices(engine))
    overlapping = [(a.args["channel"], b.args["channel"]) for a, b in combinations(calls, 2)
                   if a.args["channel"] != b.args["channel"] and a.at < b.done and b.at < a.done]
    assert overlapping, "posts to different channels never overlapped: the deliverer is sequential"
    for channel in CHANNELS:
        arrivals = sorted(c.at for c in calls if c.args["channel"] == channel)
        assert len(arrivals) == 3
        assert min(later - earlier for earlier, later in pairwise(arrivals)) >= 1.0


def test_a_429_on_one_channel_pauses_that_channel_for_its_retry_after(slack: FakeSlack, engine: Engine) -> None:
    queue(engine, ["CALPHA", "CBRAVO", "CCHARLIE", "CALPHA"])
    slack.fail("chat.postMessage", status=429, retry_after=30, channel="CALPHA")
    outbox, t0, before = deliverer(slack, engine), utcnow(), ratelimited("chat.postMessage", "channel")
    report = outbox.deliver_once(now=t0)
    assert (report.sent, report.retried, report.deferred) == (2, 1, 1)  # the other channels go on
    assert ratelimited("chat.postMessage", "channel") == before + 1
    waiting = [n for n in notices(engine) if n.recipient_id == "CALPHA"]
    assert all(n.status == "pending" and _at(n) >= t0 + timedelta(seconds=30) for n in waiting)
    assert outbox.deliver_once(now=t0 + timedelta(seconds=29)).claimed == 0
    assert [c.args["channel"] for c in posts(slack)].count("CALPHA") == 1
    outbox.deliver_once(now=t0 + timedelta(seconds=31))
    outbox.deliver_once(now=t0 + timedelta(seconds=33))  # the second notice to CALPHA, a second later
    assert {n.status for n in notices(engine)} == {"sent"} and len(keys_posted(slack)) == 4


def test_a_workspace_wide_429_pauses_every_channel(slack: FakeSlack, engine: Engine) -> None:
    channels = [f"CROOM{i}" for i in range(10)]
    queue(engine, channels)
    slack.throttled = 30  # every call: 429, Retry-After 30
    outbox, t0, before = deliverer(slack, engine, concurrency=2), utcnow(), ratelimited("chat.postMessage", "workspace")
    report = outbox.deliver_once(now=t0)
    tried = len(posts(slack))
    assert tried <= 4 and report.retried == tried and report.deferred == 10 - tried  # not one call per channel
    assert ratelimited("chat.postMessage", "workspace") >= before + 1
    assert all(n.status == "pending" and _at(n) >= t0 + timedelta(seconds=30) for n in notices(engine))
    slack.throttled = None
    assert outbox.deliver_once(now=t0 + timedelta(seconds=29)).claimed == 0 and len(posts(slack)) == tried
    assert outbox.deliver_once(now=t0 + timedelta(seconds=31)).sent == 10
    assert sorted(keys_posted(slack)) == sorted(n.idempotency_key for n in notices(engine))


def test_a_429_on_conversations_open_pauses_new_dms_but_not_channels(slack: FakeSlack, engine: Engine) -> None:
    queue(engine, ["UANNA", "UBOB", "CALPHA"])
    slack.fail("conversations.open", status=429, retry_after=20)
    outbox, t0 = deliverer(slack, engine, concurrency=1), utcnow()
    report = outbox.deliver_once(now=t0)
    assert (report.retried, report.deferred, report.sent) == (1, 1, 1)
    assert len(slack.of("conversations.open")) == 1  # Bob's DM waits without asking Slack again
    assert [c.args["channel"] for c in posts(slack)] == ["CALPHA"]
    assert outbox.deliver_once(now=t0 + timedelta(seconds=21)).sent == 2
    assert sorted(slack.messages) == ["CALPHA", "DANNA", "DBOB"]


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_two_concurrent_deliverers_on_one_database_post_each_notice_once(
    slack: FakeSlack, tmp_path: Path, request: pytest.FixtureRequest, database: str
) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}" if database == "sqlite" else request.getfixturevalue("postgres_url")
    setup = make_engine(url)
    init_db(setup)
    staff = [f"UST{i:02d}" for i in range(30)]
    queue(setup, staff + CHANNELS * 2)
    slack.latency = 0.02
    barrier, reports = threading.Barrier(2), []

    def replica() -> None:
        own = make_engine(url)
        outbox = deliverer(slack, own, batch_size=6, concurrency=4)
        barrier.wait()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and {n.status for n in notices(own)} != {"sent"}:
            report = outbox.deliver_once()
            reports.append(report)
            if not report.claimed:
                time.sleep(0.05)
        own.dispose()

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    keys = keys_posted(slack)
    assert len(keys) == len(set(keys)) == len(staff) + 2 * len(CHANNELS) == len(posts(slack))
    assert {n.status for n in notices(setup)} == {"sent"}
    assert sum(r.claimed for r in reports) >= len(keys)
    setup.dispose()


def _at(notice: Notice) -> datetime:
    assert notice.next_attempt_at is not None
    at = notice.next_attempt_at
    return at if at.tzinfo else at.replace(tzinfo=utcnow().tzinfo)
