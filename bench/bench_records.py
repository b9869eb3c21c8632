"""Learning-records benchmark: 100k employees' enrolments on SQLite and PostgreSQL.

Measures the "due for a reminder" query, a 50-person team dashboard, and enrol throughput with
8 concurrent writers on PostgreSQL (a throwaway cluster from tests/servers.py). The schema comes
from the migrations, as in production. Writes bench/results/records.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.common import ROOT, percentiles, write_result
from bot.cli_db import upgrade_database
from core.db import make_engine
from knowledge.models import Credential
from skills.access import Actor
from skills.enrolment import enrol
from skills.models import Employee, Enrolment, State
from skills.policy import Policy
from skills.status import due_for_reminder, team_status
from tests.servers import PostgresCluster

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
TEAM_SIZE = 50
CREDENTIALS = 1_000
PER_EMPLOYEE = 2
WRITERS = 8
STATES = [
    (State.APPROVED, 30),
    (State.IN_PROGRESS, 40),
    (State.COMPLETED, 15),
    (State.EARNED, 10),
    (State.WITHDRAWN, 5),
]
CHUNK = 20_000


def credential_row(credential_id: str, title: str, *, cost: float, skills: list[str] | None = None) -> dict[str, Any]:
    """Column values of one benchmark credential, for a bulk insert."""
    return {
        "id": credential_id, "title": title, "provider": "Bench University", "description": "",
        "skills": skills or [], "tags": [], "currency": "USD", "cost": cost, "extra": {},
        "content_hash": "x", "embed_hash": "x", "source": "bench", "status": "active",
        "created_at": NOW, "updated_at": NOW,
    }


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def populate(engine: Engine, employees: int, seed: int = 7) -> dict[str, int]:
    """Insert managers, `employees` reports in teams of 50, credentials and two enrolments per report."""
    rng = random.Random(seed)
    teams = employees // TEAM_SIZE
    managers = [
        {
            "user_id": f"UM{t:06d}",
            "name": f"Manager {t}",
            "team": f"Team {t}",
            "timezone": "UTC",
            "is_admin": False,
            "shoutout_opt_out": False,
            "created_at": NOW,
            "updated_at": NOW,
        }
        for t in range(teams)
    ]
    reports = [
        {
            "user_id": f"UE{i:07d}",
            "name": f"Employee {i}",
            "team": f"Team {i // TEAM_SIZE}",
            "manager_id": f"UM{i // TEAM_SIZE:06d}",
            "timezone": "UTC",
            "is_admin": False,
            "shoutout_opt_out": False,
            "created_at": NOW,
            "updated_at": NOW,
        }
        for i in range(teams * TEAM_SIZE)
    ]
    credentials = [
        credential_row(f"cred-{c:05d}", f"Credential {c}", cost=float(rng.choice([0, 49, 200, 900, 1500])),
                       skills=[f"skill {c % 97}"])
        for c in range(CREDENTIALS)
    ]
    states, weights = zip(*STATES, strict=True)
    enrolments = []
    for report in reports:
        for credential in rng.sample(range(CREDENTIALS), PER_EMPLOYEE):
            state = rng.choices(states, weights)[0]
            ongoing = state in (State.APPROVED, State.IN_PROGRESS)
            enrolments.append(
                {
                    "employee_id": report["user_id"],
                    "credential_id": f"cred-{credential:05d}",
                    "state": state.value,
                    "percent": rng.randrange(0, 100),
                    "milestones": [],
                    "note": "",
                    "due_date": (NOW + timedelta(days=rng.randrange(-30, 180))).date() if ongoing else None,
                    "last_reminded_at": NOW - timedelta(days=rng.randrange(1, 30))
                    if rng.random() < 0.3
                    else None,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            )
    with engine.begin() as connection:
        for table, rows in (
            (Employee, managers),
            (Employee, reports),
            (Credential, credentials),
            (Enrolment, enrolments),
        ):
            for chunk in _chunks(rows):
                connection.execute(insert(table), chunk)
        connection.execute(text("ANALYZE"))
    return {"employees": len(managers) + len(reports), "teams": teams, "enrolments": len(enrolments)}


def timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    """Milliseconds per run, after one warm-up run, and the last result."""
    result = fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples, result


def measure_queries(engine: Engine, teams: int, runs: int) -> dict[str, Any]:
    """Medians of the reminder query (all due, and one batch) and of team dashboards."""
    rng = random.Random(11)
    results: dict[str, Any] = {}
    with Session(engine) as session:
        samples, due = timed(lambda: due_for_reminder(session=session, now=NOW, limit=1_000_000), runs)
        results["due_for_reminder_all"] = {**percentiles(samples), "rows": len(due)}
        samples, batch = timed(lambda: due_for_reminder(session=session, now=NOW, limit=1_000), runs)
        results["due_for_reminder_batch_1000"] = {**percentiles(samples), "rows": len(batch)}
        dashboards = []
        members = 0
        for _ in range(runs):
            actor = Actor(f"UM{rng.randrange(teams):06d}")
            start = time.perf_counter()
            team = team_status(session=session, actor=actor)
            dashboards.append((time.perf_counter() - start) * 1000)
            members = len(team)
            session.expunge_all()
        results["team_dashboard_50"] = {**percentiles(dashboards), "rows": members}
    return results


def enrol_throughput(engine: Engine, employees: int, per_writer: int) -> dict[str, Any]:
    """Enrolments per second with WRITERS threads, each enrolling distinct people in new credentials."""
    barrier = threading.Barrier(WRITERS)
    policy = Policy(approval_cost_threshold=500)
    done = [0] * WRITERS

    def writer(w: int) -> None:
        with Session(engine) as session:
            barrier.wait()
            for n in range(per_writer):
                # Distinct people per writer; half the credentials cost more than the threshold (a notice too).
                user = f"UE{(w * per_writer + n) % employees:07d}"
                enrol(
                    session=session, actor=Actor(user), credential_id=f"new-{w}-{n % 50:02d}", policy=policy
                )
                session.commit()
                done[w] += 1

    with engine.begin() as connection:
        connection.execute(
            insert(Credential),
            [
                credential_row(f"new-{w}-{c:02d}", f"New {w}-{c}", cost=900.0 if c % 2 else 0.0)
                for w in range(WRITERS)
                for c in range(50)
            ],
        )
    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    total = sum(done)
    return {
        "writers": WRITERS,
        "enrolments": total,
        "seconds": round(elapsed, 2),
        "per_second": round(total / elapsed, 1),
    }


def run_backend(name: str, url: str, employees: int, runs: int) -> dict[str, Any]:
    """Migrate, populate and measure one database."""
    upgrade_database(url)
    engine = make_engine(url)
    try:
        start = time.perf_counter()
        sizes: dict[str, Any] = {**populate(engine, employees)}
        sizes["populate_seconds"] = round(time.perf_counter() - start, 1)
        print(f"{name}: populated {sizes}", file=sys.stderr, flush=True)
        return {"sizes": sizes, **measure_queries(engine, sizes["teams"], runs)}
    finally:
        engine.dispose()


def markdown(results: dict[str, Any]) -> str:
    """The results as a Markdown table."""
    lines = ["| measure | backend | median | p95 | rows | target |", "|---|---|---|---|---|---|"]
    targets = {
        "due_for_reminder_all": "≤ 1 s",
        "due_for_reminder_batch_1000": "",
        "team_dashboard_50": "≤ 50 ms",
    }
    for backend in ("sqlite", "postgres"):
        for key, target in targets.items():
            row = results[backend][key]
            lines.append(
                f"| {key} | {backend} | {row['p50']} ms | {row['p95']} ms | {row['rows']} | {target} |"
            )
    t = results["postgres"]["enrol_throughput"]
    lines.append(
        f"| enrol, {t['writers']} concurrent writers | postgres | {t['per_second']} enrolments/s | | "
        f"{t['enrolments']} in {t['seconds']} s | |"
    )
    return "\n".join(lines)


def main() -> None:
    """Run the records benchmark and write bench/results/records.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--employees", type=int, default=100_000, help="Employees with enrolments (teams of 50)."
    )
    parser.add_argument("--runs", type=int, default=15, help="Timed runs per query.")
    parser.add_argument("--per-writer", type=int, default=300, help="Enrolments per concurrent writer.")
    args = parser.parse_args()
    results: dict[str, Any] = {"params": vars(args)}
    with tempfile.TemporaryDirectory(prefix="badger-bench-records-") as tmp:
        results["sqlite"] = run_backend(
            "sqlite", f"sqlite:///{Path(tmp) / 'records.db'}", args.employees, args.runs
        )
    cluster = PostgresCluster()
    try:
        url = cluster.create_database("bench_records")
        results["postgres"] = run_backend("postgres", url, args.employees, args.runs)
        engine = make_engine(url)
        try:
            results["postgres"]["enrol_throughput"] = enrol_throughput(
                engine, args.employees, args.per_writer
            )
        finally:
            engine.dispose()
    finally:
        cluster.stop()
    path = write_result("records", results)
    sizes = results["postgres"]["sizes"]
    print(
        f"{sizes['employees']:,} employees ({sizes['teams']:,} managers with 50 reports each), "
        f"{sizes['enrolments']:,} enrolments over {CREDENTIALS:,} credentials; schema from the migrations. "
        f"Median and p95 of {args.runs} runs after a warm-up; the reminder query returns every enrolment due "
        f"within 7 days or overdue and not reminded in the last 7 days. Enrol throughput: {WRITERS} threads, "
        f"each with its own session, committing one enrolment (with its audit row and, for half, an approval "
        f"notice) at a time.\n"
    )
    print(markdown(results))
    print(f"\nWritten to {path.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
