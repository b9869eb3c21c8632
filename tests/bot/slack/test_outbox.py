"""The outbox deliverer against the fake Slack server and real databases: every notice is posted exactly once."""

from __future__ import annotations

import logging
import random
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.slack.outbox import Deliverer
from core.db import init_db, make_engine
from skills.assistant.messages import Action
from skills.enrolment import approve, enrol
from skills.models import Employee, Notice, ReceivedEvent, utcnow
from skills.nominations import nominate
from skills.policy import Policy
from tests.fakes.slack_server import FakeSlack
from tests.skills.factories import Org, make_org

ROOT = Path(__file__).resolve().parents[3]
POLICY = Policy(approval_cost_threshold=500)


def deliverer(slack: FakeSlack, engine: Engine, **knobs: Any) -> Deliverer:
    """A deliverer talking to the fake Slack; jitter is seeded so back-off bounds are checkable."""
    return Deliverer(WebClient(token="xoxb-test", base_url=slack.api_url, **knobs.pop("client", {})), engine,
                     rng=random.Random(7), **knobs)


def notices(engine: Engine) -> list[Notice]:
    """Every outbox row, oldest first."""
    with Session(engine) as session:
        return list(session.exec(select(Notice).order_by(col(Notice.id))))


def request(org: Org, actor: Any = None) -> int:
    """An employee asks to enrol in an expensive credential: an approval request for their manager."""
    enrolment = org.run(enrol, actor=actor or org.dana, credential_id="cloud-arch", policy=POLICY)
    assert enrolment.id is not None
    return enrolment.id


def delivered(slack: FakeSlack) -> list[dict[str, Any]]:
    """Messages that really landed in Slack (failed calls excluded)."""
    return [m for messages in slack.messages.values() for m in messages]


def buttons(message: dict[str, Any]) -> dict[str, Action]:
    """Button label -> the action its value parses to."""
    return {e["text"]["text"]: Action.parse(e["value"])
            for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]}


def test_approval_request_is_posted_once_with_working_buttons(
    org: Org, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.slack")
    enrolment_id = request(org)
    outbox = deliverer(slack, org.engine)
    assert outbox.deliver_once().sent == 1
    assert outbox.deliver_once().claimed == 0
    [message] = slack.messages["DMIA"]  # the manager's DM, opened with conversations.open
    assert [c.args["users"] for c in slack.of("conversations.open")] == ["UMIA"]
    assert buttons(message) == {"Approve": Action("approve", {"enrolment_id": enrolment_id}),
                                "Decline": Action("decline", {"enrolment_id": enrolment_id})}
    assert "Dana" in message["text"] and "Cloud Architecture" in message["blocks"][0]["text"]["text"]
    [notice] = notices(org.engine)
    assert message["metadata"] == {"event_type": "badger_notice", "event_payload": {
        "idempotency_key": notice.idempotency_key, "notice_id": notice.id}}
    assert (notice.status, notice.channel_id, notice.message_ts, notice.attempts) == ("sent", "DMIA", message["ts"], 1)
    assert slack.of("conversations.history") == []  # a fresh notice is posted without looking back

    # the manager presses Approve: the skill runs with the button's arguments, and Dana hears about it
    org.run(approve, actor=org.mia, **buttons(message)["Approve"].args)
    assert outbox.deliver_once().sent == 1
    [decision] = slack.messages["DDANA"]
    assert "approved" in decision["text"] and buttons(decision) == {"My status": Action("status")}
    assert "Cloud Architecture" not in caplog.text and "Dana" not in caplog.text  # ids and kinds only


@pytest.mark.parametrize(("failure", "wait"), [({"status": 429, "retry_after": 30}, 30), ({"error": "ratelimited"}, 2)])
def test_rate_limit_waits_for_retry_after_then_posts_once(
    org: Org, slack: FakeSlack, failure: dict[str, Any], wait: int
) -> None:
    request(org, org.dana)
    request(org, org.erin)
    slack.fail("chat.postMessage", **failure)
    outbox, t0 = deliverer(slack, org.engine), utcnow()
    report = outbox.deliver_once(now=t0)
    assert (report.retried, report.deferred, len(slack.of("chat.postMessage"))) == (1, 1, 1)  # the batch pauses
    first, _ = notices(org.engine)
    assert (first.status, first.attempts, first.last_error) == ("pending", 0, "ratelimited")  # not an attempt
    assert first.next_attempt_at is not None and t0 + timedelta(seconds=wait) <= first.next_attempt_at
    assert first.next_attempt_at < t0 + timedelta(seconds=wait + 5)
    assert outbox.deliver_once(now=t0 + timedelta(seconds=wait - 1)).claimed == 0
    assert len(slack.of("chat.postMessage")) == 1
    assert outbox.deliver_once(now=t0 + timedelta(seconds=wait + 5)).sent == 2
    assert len(delivered(slack)) == 2 and {n.status for n in notices(org.engine)} == {"sent"}


def test_a_client_that_retries_rate_limits_itself_is_not_used_as_is(org: Org, slack: FakeSlack) -> None:
    request(org)
    slack.fail("chat.postMessage", status=429, retry_after=1)
    client = WebClient(token="xoxb-test", base_url=slack.api_url, retry_handlers=[RateLimitErrorRetryHandler()])
    report = Deliverer(client, org.engine).deliver_once()
    assert (report.retried, len(slack.of("chat.postMessage")), delivered(slack)) == (1, 1, [])


def test_server_errors_back_off_exponentially_then_deliver_once(org: Org, slack: FakeSlack) -> None:
    request(org)
    slack.fail("chat.postMessage", times=3, status=500, retry_after=None)
    outbox, now, delays = deliverer(slack, org.engine), utcnow(), []
    for _ in range(6):
        outbox.deliver_once(now=now)
        [notice] = notices(org.engine)
        if notice.status == "sent":
            break
        assert notice.next_attempt_at is not None
        assert outbox.deliver_once(now=notice.next_attempt_at - timedelta(milliseconds=100)).claimed == 0
        delays.append((notice.next_attempt_at - now).total_seconds())
        now = notice.next_attempt_at
    assert notice.status == "sent" and notice.attempts == 4
    assert [lo <= d <= hi for d, (lo, hi) in zip(delays, [(1, 2.1), (2, 4.1), (4, 8.1)], strict=True)] == [True] * 3
    assert len(delivered(slack)) == 1


def test_an_outage_is_ridden_out_and_each_notice_delivered_once(org: Org, slack: FakeSlack) -> None:
    request(org, org.dana)
    request(org, org.erin)
    outbox, now = deliverer(slack, org.engine, max_attempts=2), utcnow()
    slack.down = True
    for _ in range(5):  # more failed attempts than max_attempts: an outage alone does not lose notices
        report = outbox.deliver_once(now=now)
        assert (report.retried, report.deferred, report.failed) == (1, 1, 0)  # the batch waits for Slack
        now += timedelta(minutes=10)
    assert delivered(slack) == [] and {n.status for n in notices(org.engine)} == {"pending"}
    slack.down = False
    assert outbox.deliver_once(now=now).sent == 2
    assert outbox.deliver_once(now=now + timedelta(hours=1)).claimed == 0
    assert len(delivered(slack)) == len(slack.posted()) == 2  # down, Slack never got as far as a post


def test_an_outage_longer_than_the_grace_period_gives_up(org: Org, slack: FakeSlack) -> None:
    request(org)
    outbox, now = deliverer(slack, org.engine, max_attempts=2, outage_grace=3600), utcnow()
    slack.down = True
    assert outbox.deliver_once(now=now).retried == 1
    assert outbox.deliver_once(now=now + timedelta(hours=2)).failed == 1
    [notice] = notices(org.engine)
    assert (notice.status, notice.attempts, notice.last_error) == ("failed", 2, "service_unavailable")


def test_a_lost_response_is_found_in_history_not_posted_again(org: Org, slack: FakeSlack) -> None:
    request(org)
    gate = slack.stall("chat.postMessage")  # Slack posts it, but the answer never arrives in time
    outbox = deliverer(slack, org.engine, client={"timeout": 1})
    assert outbox.deliver_once().retried == 1
    gate.set()
    [notice] = notices(org.engine)
    assert (notice.status, notice.channel_id, len(delivered(slack))) == ("pending", "DMIA", 1)
    assert notice.next_attempt_at is not None
    report = outbox.deliver_once(now=notice.next_attempt_at)
    assert (report.recovered, report.sent) == (1, 0)
    [history] = slack.of("conversations.history")
    assert history.args["include_all_metadata"] in ("1", "true", True)
    assert len(slack.of("chat.postMessage")) == 1
    assert notices(org.engine)[0].message_ts == delivered(slack)[0]["ts"]


CRASHING_DELIVERER = """
import sys
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from bot.slack.outbox import Deliverer
from core.db import make_engine
Deliverer(WebClient(token="xoxb-test", base_url=sys.argv[2]), make_engine(sys.argv[1])).deliver_once()
"""


def test_a_deliverer_killed_after_posting_is_not_followed_by_a_second_post(
    org: Org, slack: FakeSlack, db_url: str
) -> None:
    request(org)
    gate = slack.stall("chat.postMessage")
    process = subprocess.Popen([sys.executable, "-c", CRASHING_DELIVERER, db_url, slack.api_url], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not delivered(slack) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.02)
        assert delivered(slack), "the subprocess never posted"
    finally:
        process.kill()  # SIGKILL: posted in Slack, never recorded in the database
        process.wait()
        gate.set()
    [notice] = notices(org.engine)
    assert (notice.status, notice.channel_id, notice.message_ts) == ("sending", "DMIA", None)
    outbox = deliverer(slack, org.engine, lease_seconds=120)
    assert outbox.deliver_once().claimed == 0  # the lease has not run out: maybe it is still posting
    report = outbox.deliver_once(now=utcnow() + timedelta(seconds=121))
    assert (report.recovered, report.sent) == (1, 0)
    assert len(slack.of("chat.postMessage")) == 1 and len(delivered(slack)) == 1
    [notice] = notices(org.engine)
    assert (notice.status, notice.message_ts) == ("sent", delivered(slack)[0]["ts"])


def test_a_permanent_error_fails_the_notice_without_retrying(
    org: Org, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    request(org)
    slack.fail("chat.postMessage", error="channel_not_found")
    outbox = deliverer(slack, org.engine)
    assert outbox.deliver_once().failed == 1
    [notice] = notices(org.engine)
    assert (notice.status, notice.attempts, notice.last_error) == ("failed", 1, "channel_not_found")
    assert f"notice {notice.id}" in caplog.text and "channel_not_found" in caplog.text
    assert [r.levelname for r in caplog.records if "failed for good" in r.message] == ["WARNING"]
    assert outbox.deliver_once(now=utcnow() + timedelta(days=1)).claimed == 0
    assert len(slack.of("chat.postMessage")) == 1


def test_gives_up_after_max_attempts(org: Org, slack: FakeSlack) -> None:
    request(org)
    slack.fail("chat.postMessage", times=5, error="fatal_error")  # an unexplained error, not an outage
    outbox, now = deliverer(slack, org.engine, max_attempts=3), utcnow()
    for _ in range(5):
        outbox.deliver_once(now=now)
        now += timedelta(minutes=10)
    [notice] = notices(org.engine)
    assert (notice.status, notice.attempts, len(slack.of("chat.postMessage"))) == ("failed", 3, 3)


def test_run_forever_delivers_and_prunes_old_event_ids(org: Org, slack: FakeSlack) -> None:
    with Session(org.engine) as session:
        session.add(ReceivedEvent(event_id="Ev-old", received_at=utcnow() - timedelta(days=3)))
        session.commit()
    stop = threading.Event()
    worker = threading.Thread(target=deliverer(slack, org.engine).run_forever, args=(stop, 0.05), daemon=True)
    worker.start()
    try:
        request(org)
        slack.wait_for("chat.postMessage")
    finally:
        stop.set()
        worker.join(10)
    assert not worker.is_alive()
    with Session(org.engine) as session:
        assert session.get(ReceivedEvent, "Ev-old") is None
    assert [n.status for n in notices(org.engine)] == ["sent"]


def test_two_deliverers_on_postgresql_post_each_notice_once(postgres_url: str, slack: FakeSlack) -> None:
    engine = make_engine(postgres_url)
    init_db(engine)
    org = make_org(engine)
    staff = [f"UST{i:02d}" for i in range(24)]
    with Session(engine) as session:
        session.add_all(Employee(user_id=u, name=f"Staff {u}", manager_id="UMIA") for u in staff)
        session.commit()
    for user in staff:
        org.run(nominate, actor=org.mia, employee_id=user, credential_id="py-101", reason="Team goal")
    barrier, reports = threading.Barrier(2), []

    def replica() -> None:
        own = make_engine(postgres_url)
        outbox = deliverer(slack, own, batch_size=3)
        barrier.wait()
        while (report := outbox.deliver_once()).claimed:
            reports.append(report)
        own.dispose()

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    keys = [m["metadata"]["event_payload"]["idempotency_key"] for m in delivered(slack)]
    assert len(keys) == len(set(keys)) == len(staff) == len(slack.of("chat.postMessage"))
    assert sum(r.sent for r in reports) == len(staff) and {n.status for n in notices(engine)} == {"sent"}
    engine.dispose()
