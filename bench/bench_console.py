"""L&D console benchmark: page and CSV export latency over real HTTP on PostgreSQL at 100k employees.

Reuses the records benchmark's data (100,000 employees in teams of 50 under 2,000 managers, 200,000
enrolments over 1,000 credentials), adds what the console reads that it lacks (a role with 8 skills for
everyone, one audit event per enrolment spread over 12 months, earned dates and verifications, an admin and
a director over 20 managers), then serves the console with uvicorn on loopback and times full responses
(body read) as an admin (everyone), a director (1,020 people) and a manager (50). The console has no
knowledge base attached here: the skills page's gaps carry no catalogue suggestions and catalogue search is
not measured (the 1,000 benchmark credentials are not embedded). Writes bench/results/console.json.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from typing import Any

import httpx
from sqlalchemy import text
from sqlmodel import Session

from bench.bench_records import NOW, populate
from bench.common import ROOT, percentiles, write_result
from bot.cli_db import upgrade_database
from bot.web.console import build_console
from core.db import make_engine
from core.settings import Settings
from skills.console.signin import start_session
from skills.models import Employee, RoleSkill
from skills.normalise import normalise_role, normalise_skill
from tests.bot.web.console.conftest import ServedApp
from tests.servers import PostgresCluster

TARGET_MS = 200.0
SKILLS = [f"skill {n}" for n in range(8)]
PAGES = ["/overview", "/skills", "/talent?skill=skill+3", "/people", "/people/UE0000042", "/audit", "/catalogue"]
EXPORTS = ["/overview.csv?table=funnel", "/overview.csv?table=spend", "/skills.csv?table=heatmap",
           "/talent.csv?table=talent&skill=skill+3", "/people.csv?table=people", "/audit.csv?table=audit",
           "/people/UE0000042.csv?table=enrolments"]


def enrich(engine: Any) -> None:
    """Roles, skill profiles, audit events, earned dates and verifications, an admin and a director."""
    with engine.begin() as connection:
        connection.execute(text("UPDATE employee SET role = 'Engineer' WHERE user_id LIKE 'UE%'"))
        connection.execute(text(
            "INSERT INTO enrolmentevent (enrolment_id, actor_id, action, from_state, to_state, at) "
            "SELECT id, employee_id, 'bench', NULL, state, :now - make_interval(days => (id % 365)::int) "
            "FROM enrolment"), {"now": NOW})
        connection.execute(text(
            "UPDATE enrolment SET earned_at = :now - make_interval(days => (id % 365)::int), "
            "badge_verified_at = CASE WHEN id % 2 = 0 THEN :now END WHERE state = 'earned'"), {"now": NOW})
        connection.execute(text("ANALYZE"))
    with Session(engine) as session:
        session.add(Employee(user_id="UADMIN1", name="Bench Admin", is_admin=True))
        session.add(Employee(user_id="UDIRECT1", name="Bench Director", team="Team 0"))
        session.flush()
        for position, skill in enumerate(SKILLS):
            session.add(RoleSkill(role_key=normalise_role("Engineer"), skill_key=normalise_skill(skill),
                                  role="Engineer", skill=skill, position=position))
        session.commit()
    with engine.begin() as connection:
        connection.execute(text("UPDATE employee SET manager_id = 'UDIRECT1' WHERE user_id IN "
                                "(SELECT user_id FROM employee WHERE user_id LIKE 'UM%' ORDER BY user_id LIMIT 20)"))


def measure(url: str, cookie: str, paths: list[str], runs: int) -> dict[str, Any]:
    """p50/p95 per path over `runs` full responses after a warm-up."""
    results: dict[str, Any] = {}
    with httpx.Client(base_url=url, cookies={"badger_console": cookie}, timeout=120) as client:
        for path in paths:
            first = client.get(path)
            assert first.status_code == 200, (path, first.status_code, first.text[:200])
            samples = []
            for _ in range(runs):
                start = time.perf_counter()
                response = client.get(path)
                _ = response.content
                samples.append((time.perf_counter() - start) * 1000)
            rows = response.text.count("\n") - 1 if ".csv" in path else len(re.findall(r"<tr>", response.text))
            results[path] = {**percentiles(samples), "rows": rows, "bytes": len(response.content)}
            print(f"  {path}: p95 {results[path]['p95']} ms ({rows} rows)", file=sys.stderr, flush=True)
    return results


def markdown(results: dict[str, Any]) -> str:
    """A table per viewer: p50, p95, rows, within target."""
    lines = ["| viewer | request | p50 | p95 | rows | ≤ 200 ms |", "|---|---|---|---|---|---|"]
    for viewer, rows in results["viewers"].items():
        for path, row in rows.items():
            ok = "yes" if row["p95"] <= TARGET_MS else "**no**"
            lines.append(f"| {viewer} | `{path}` | {row['p50']} ms | {row['p95']} ms | {row['rows']} | {ok} |")
    return "\n".join(lines)


def main() -> None:
    """Populate PostgreSQL, serve the console and time every page and export."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employees", type=int, default=100_000, help="Employees with enrolments (teams of 50).")
    parser.add_argument("--runs", type=int, default=20, help="Timed requests per page or export.")
    args = parser.parse_args()
    cluster = PostgresCluster()
    try:
        url = cluster.create_database("bench_console")
        upgrade_database(url)
        engine = make_engine(url)
        start = time.perf_counter()
        sizes: dict[str, Any] = populate(engine, args.employees)
        enrich(engine)
        sizes["populate_seconds"] = round(time.perf_counter() - start, 1)
        print(f"populated {sizes}", file=sys.stderr, flush=True)
        settings = Settings(_env_file=None, database_url=url,  # type: ignore[call-arg]
                            badger_console_secret="bench-secret")  # noqa: S106 - a throwaway key
        served = ServedApp(build_console(settings, engine, None))
        results: dict[str, Any] = {"params": vars(args), "sizes": sizes, "viewers": {}}
        try:
            for viewer, user_id in (("admin", "UADMIN1"), ("director (1,020)", "UDIRECT1"),
                                    ("manager (50)", "UM000000")):
                with Session(engine) as session:
                    cookie = start_session(session=session, settings=settings, user_id=user_id, how="bench").token
                    session.commit()
                print(viewer, file=sys.stderr, flush=True)
                paths = [p for p in PAGES + EXPORTS if viewer == "admin" or "catalogue" not in p]
                if viewer != "admin":
                    paths = [p.replace("UE0000042", "UE0000007") for p in paths]
                results["viewers"][viewer] = measure(served.url, cookie, paths, args.runs)
        finally:
            served.stop()
            engine.dispose()
    finally:
        cluster.stop()
    path = write_result("console", results)
    print(f"{sizes['employees']:,} employees, {sizes['enrolments']:,} enrolments (and as many audit events) on "
          f"PostgreSQL; the console served by uvicorn on loopback, each request timed to its last byte; p50 and "
          f"p95 of {args.runs} requests after a warm-up. No knowledge base attached (see the module docstring).\n")
    print(markdown(results))
    print(f"\nWritten to {path.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
