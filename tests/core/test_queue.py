"""The durable work queue on SQLite and PostgreSQL: keyed inserts, leased claims, take-over, done once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from core import queue
from tests.skills.conftest import db_url, engine  # noqa: F401  (the [sqlite] / [postgres] database fixtures)

LEASE = timedelta(seconds=30)
T0 = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def test_a_retried_or_duplicated_key_is_queued_once(engine: Engine) -> None:  # noqa: F811
    assert queue.enqueue(engine, key="command:trig1", kind="answer", payload={"q": "sql"})
    assert not queue.enqueue(engine, key="command:trig1", kind="answer", payload={"q": "other"})
    [item] = queue.claim(engine, holder="a", lease_for=LEASE)
    assert item.payload == {"q": "sql"} and queue.claim(engine, holder="b", lease_for=LEASE) == []


def test_a_dead_workers_item_is_taken_over_after_its_lease_and_done_once(engine: Engine) -> None:  # noqa: F811
    queue.enqueue(engine, key="event:Ev1", kind="answer", payload={})
    [first] = queue.claim(engine, holder="dead", lease_for=LEASE, now=T0)
    assert queue.claim(engine, holder="b", lease_for=LEASE, now=T0 + timedelta(seconds=10)) == []
    [second] = queue.claim(engine, holder="b", lease_for=LEASE, now=T0 + timedelta(seconds=31))
    assert second.id == first.id and second.attempts == 2
    assert not queue.still_mine(engine, first) and not queue.finish(engine, first, outcome="answered")
    assert queue.finish(engine, second, outcome="answered")
    assert queue.claim(engine, holder="c", lease_for=LEASE, now=T0 + timedelta(hours=1)) == []
    assert queue.depth(engine) == queue.Depth(0, 0, 0.0)


def test_released_claims_go_back_to_other_workers(engine: Engine) -> None:  # noqa: F811
    for n in range(3):
        queue.enqueue(engine, key=f"k{n}", kind="answer", payload={})
    mine = queue.claim(engine, holder="leaving", lease_for=LEASE, limit=2)
    assert len(mine) == 2 and queue.depth(engine).working == 2
    assert queue.release(engine, holder="leaving") == 2
    assert sorted(i.key for i in queue.claim(engine, holder="b", lease_for=LEASE, limit=5)) == ["k0", "k1", "k2"]


def test_concurrent_workers_never_share_an_item(engine: Engine) -> None:  # noqa: F811
    for n in range(40):
        queue.enqueue(engine, key=f"k{n}", kind="answer", payload={})

    def drain(holder: str) -> list[str]:
        taken = []
        while items := queue.claim(engine, holder=holder, lease_for=LEASE):
            taken += [i.key for i in items if queue.finish(engine, i, outcome="answered")]
        return taken

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(drain, ["w1", "w2", "w3", "w4"]))
    done = [key for keys in results for key in keys]
    assert sorted(done) == sorted(f"k{n}" for n in range(40)) and len(set(done)) == 40
