"""Deliverer benchmark: DMs posted per second by one replica against a fake Slack that takes 150 ms a call.

Each DM goes to a different person, so it costs two Slack calls (conversations.open, chat.postMessage) and three
small commits. "Sequential" is the deliverer with one posting thread, which is how it worked before issue 12;
"concurrent" is the default (BADGER_OUTBOX_CONCURRENCY threads). A last run has two replicas (two deliverers on
one database) share the outbox, and counts duplicates by idempotency key in what reached the fake Slack.
SQLite (schema from the migrations) unless --database-url names another. Writes bench/results/deliver.json and
prints a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bench.common import write_result
from bot.cli_db import upgrade_database
from bot.slack.outbox import Deliverer
from core.db import make_engine
from core.settings import Settings
from skills.models import Notice
from skills.notices import Kind, add_notice
from tests.fakes.slack_server import FakeSlack

LATENCY = 0.15  # seconds per Slack Web API call, as from a typical server
TARGET = 20.0  # DMs/s per replica (issue 12)


def queue_dms(engine: Engine, count: int, run: str) -> None:
    """`count` reminder DMs, each to a different person."""
    with Session(engine) as session:
        session.execute(delete(Notice))
        for i in range(count):
            add_notice(session, kind=Kind.REMINDER, recipient_id=f"U{run.upper()}{i:05d}",
                       idempotency_key=f"bench:{run}:{i}",
                       payload={"reason": "stalled", "credential_title": "Python 101", "percent": 40})
        session.commit()


def pending(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Notice.id).where(col(Notice.status) != "sent")).all())


def drain(deliverers: list[Deliverer], engine: Engine) -> float:
    """Run the deliverers (one thread each, like replicas) until the outbox is empty; seconds taken."""
    started = time.perf_counter()

    def loop(outbox: Deliverer) -> None:
        while pending(engine):
            if not outbox.deliver_once().claimed:
                time.sleep(0.02)

    threads = [threading.Thread(target=loop, args=(d,)) for d in deliverers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def measure(slack: FakeSlack, engine: Engine, url: str, *, count: int, concurrency: int, replicas: int,
            run: str) -> dict[str, Any]:
    """Deliver `count` DMs with `replicas` deliverers of `concurrency` threads; rate and duplicates."""
    queue_dms(engine, count, run)
    before = len(slack.posted())
    engines = [make_engine(url) for _ in range(replicas)]
    client = WebClient(token="xoxb-bench", base_url=slack.api_url, timeout=10)  # noqa: S106 (a fake's token)
    outboxes = [Deliverer(client, e, concurrency=concurrency) for e in engines]
    seconds = drain(outboxes, engine)
    for e in engines:
        e.dispose()
    keys = [c["metadata"]["event_payload"]["idempotency_key"] for c in slack.posted()[before:]]
    return {"dms": count, "concurrency": concurrency, "replicas": replicas, "seconds": round(seconds, 2),
            "dms_per_second": round(count / seconds, 1), "per_replica": round(count / seconds / replicas, 1),
            "posted": len(keys), "duplicates": len(keys) - len(set(keys))}


def run_database(url: str, args: argparse.Namespace, concurrency: int) -> dict[str, Any]:
    """The sequential run, the concurrent rounds and the two-replica run on one database."""
    upgrade_database(url)
    engine, slack = make_engine(url), FakeSlack()
    slack.latency = LATENCY
    name = url.split(":", 1)[0].split("+")[0]
    try:
        print(f"{name} sequential: {args.sequential_dms} DMs ...", file=sys.stderr)
        sequential = measure(slack, engine, url, count=args.sequential_dms, concurrency=1, replicas=1, run="s")
        rounds = []
        for r in range(args.rounds):
            print(f"{name} concurrent round {r + 1}: {args.dms} DMs ...", file=sys.stderr)
            rounds.append(measure(slack, engine, url, count=args.dms, concurrency=concurrency, replicas=1,
                                  run=f"c{r}"))
        print(f"{name} two replicas: {args.dms} DMs ...", file=sys.stderr)
        pair = measure(slack, engine, url, count=args.dms, concurrency=concurrency, replicas=2, run="p")
    finally:
        slack.stop()
        engine.dispose()
    median = statistics.median(r["dms_per_second"] for r in rounds)
    return {"database": name, "sequential": sequential, "concurrent_rounds": rounds,
            "concurrent_median_dms_per_second": median, "speedup": round(median / sequential["dms_per_second"], 1),
            "two_replicas": pair, "duplicates": sum(r["duplicates"] for r in [sequential, *rounds, pair])}


def main() -> None:
    """Run the benchmark on SQLite and a throwaway PostgreSQL (when installed) and print its table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sequential-dms", type=int, default=60)
    parser.add_argument("--dms", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    concurrency = Settings(_env_file=None).badger_outbox_concurrency  # type: ignore[call-arg]
    results = [run_database(f"sqlite:///{Path(tempfile.mkdtemp(prefix='badger-bench-')) / 'badger.db'}", args,
                            concurrency)]
    if not args.no_postgres:
        try:
            from tests.servers import PostgresCluster

            cluster = PostgresCluster()
        except Exception as exc:  # noqa: BLE001  (no PostgreSQL here: SQLite alone)
            print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        else:
            try:
                results.append(run_database(cluster.create_database("bench_deliver"), args, concurrency))
            finally:
                cluster.stop()
    write_result("deliver", {"latency_seconds": LATENCY, "target": TARGET, "concurrency": concurrency,
                             "databases": results})
    print("| Deliverer (fake Slack, 150 ms a call) | database | DMs | threads | DMs/s per replica | duplicates |")
    print("|---|---|---:|---:|---:|---:|")
    for r in results:
        seq, pair, db = r["sequential"], r["two_replicas"], r["database"]
        print(f"| sequential (before) | {db} | {seq['dms']} | 1 | {seq['per_replica']} | {seq['duplicates']} |")
        print(f"| concurrent, median of {len(r['concurrent_rounds'])} | {db} | {args.dms} | {concurrency} | "
              f"{r['concurrent_median_dms_per_second']} | {sum(x['duplicates'] for x in r['concurrent_rounds'])} |")
        print(f"| two replicas on one database | {db} | {pair['dms']} | {concurrency} each | {pair['per_replica']} "
              f"({pair['dms_per_second']} together) | {pair['duplicates']} |")
    speedups = ", ".join(f"{r['database']} {r['speedup']}x" for r in results)
    print(f"\nSpeed-up of the concurrent deliverer: {speedups}. Target ≥ {TARGET:.0f} DMs/s per replica, "
          "0 duplicates.")


if __name__ == "__main__":
    main()
