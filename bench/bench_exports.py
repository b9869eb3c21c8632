"""Exports: rows/s and peak RSS of `badger export enrolments` at 20k and 200k rows, vs loading every row first.

Each export runs as its own process (the CLI, process start included); peak RSS is that process's maxrss.
Constant memory shows as the 200k/20k RSS ratio staying near 1; the baseline reads all rows with `.all()`
before writing (what a non-streaming export would do).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bench.common import ROOT, write_result
from core.db import init_db, make_engine
from knowledge.models import Credential
from skills.models import Employee, Enrolment

SIZES = (20_000, 200_000)
RUNS = 3
PEOPLE, CREDENTIALS = 2_000, 100  # every (person, credential) pair once at 200k
STATES = ("in_progress", "approved", "earned", "withdrawn")

BASELINE = """
import json, sys
from sqlmodel import Session, select
from core.db import make_engine
from skills.models import Enrolment
engine = make_engine(sys.argv[1])
with Session(engine) as session, open(sys.argv[2], "w") as out:
    for row in session.exec(select(Enrolment)).all():
        out.write(json.dumps(row.model_dump(mode="json")) + "\\n")
"""


def build(path: Path, rows: int) -> str:
    """A SQLite database with PEOPLE employees, CREDENTIALS credentials and `rows` enrolments."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    init_db(engine)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(insert(Employee), [{"user_id": "UADMIN", "name": "Admin", "is_admin": True,
                                         "timezone": "UTC", "shoutout_opt_out": False, "created_at": now,
                                         "updated_at": now}]
                     + [{"user_id": f"U{i:06d}", "name": f"Person {i}", "email": f"p{i}@example.com",
                         "team": f"Team {i % 40}", "timezone": "UTC", "is_admin": False, "shoutout_opt_out": False,
                         "created_at": now, "updated_at": now} for i in range(PEOPLE)])
        conn.execute(insert(Credential), [{"id": f"c{i}", "title": f"Credential {i}", "provider": "Uni",
                                           "description": "", "skills": ["Python"], "tags": [], "currency": "USD",
                                           "extra": {}, "content_hash": "h", "embed_hash": "h", "source": "",
                                           "status": "active", "created_at": now, "updated_at": now}
                                          for i in range(CREDENTIALS)])
        batch: list[dict[str, Any]] = []
        for i in range(rows):
            at = now - timedelta(minutes=i)
            batch.append({"employee_id": f"U{i % PEOPLE:06d}", "credential_id": f"c{(i // PEOPLE) % CREDENTIALS}",
                          "state": STATES[i % len(STATES)], "percent": i % 100,
                          "milestones": [], "note": "", "created_at": at, "updated_at": at, "version": 1})
            if len(batch) == 20_000:
                conn.execute(insert(Enrolment), batch)
                batch = []
        if batch:
            conn.execute(insert(Enrolment), batch)
    engine.dispose()
    return url


def measure(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{argv} failed: {process.stderr.read().decode() if process.stderr else status}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    """Build each size, export it RUNS times with the CLI and the fetch-all baseline, print a table."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="badger-bench-exports-") as tmp:
        for size in SIZES:
            data = Path(tmp) / f"d{size}"
            data.mkdir()
            print(f"building {size} enrolments", file=sys.stderr, flush=True)
            url = build(data / "badger.db", size)
            env = {**os.environ, "BADGER_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)}
            env.pop("DATABASE_URL", None)
            out = str(Path(tmp) / "out.jsonl")
            cli = [sys.executable, "-m", "bot.cli", "export", "enrolments", "--jsonl", "--out", out, "--by", "UADMIN"]
            base = [sys.executable, "-c", BASELINE, url, out]
            for name, argv in (("streaming", cli), ("fetch_all", base)):
                runs = [measure(argv, env) for _ in range(RUNS)]
                seconds = statistics.median(r[0] for r in runs)
                results[f"{name}_{size}"] = {"rows": size, "seconds": round(seconds, 2),
                                             "rows_per_s": round(size / seconds),
                                             "peak_rss_mb": round(statistics.median(r[1] for r in runs), 1)}
                print(f"{name} {size}: {results[f'{name}_{size}']}", file=sys.stderr, flush=True)
    small, large = results[f"streaming_{SIZES[0]}"], results[f"streaming_{SIZES[1]}"]
    results["rss_ratio_200k_vs_20k"] = round(large["peak_rss_mb"] / small["peak_rss_mb"], 2)
    results["rss_ratio_fetch_all_vs_streaming_200k"] = round(
        results[f"fetch_all_{SIZES[1]}"]["peak_rss_mb"] / large["peak_rss_mb"], 2)
    write_result("exports", {"runs": RUNS, **results, "self_rss_mb": resource.getrusage(0).ru_maxrss // 1024})
    print("| export (JSON Lines, enrolments) | rows | median s | rows/s | peak RSS MB |")
    print("|---|---:|---:|---:|---:|")
    for key, row in results.items():
        if isinstance(row, dict) and "rows" in row:
            print(f"| {key.rsplit('_', 1)[0].replace('_', '-')} | {row['rows']:,} | {row['seconds']} | "
                  f"{row['rows_per_s']:,} | {row['peak_rss_mb']} |")
    print(f"\nPeak RSS 200k / 20k (streaming): {results['rss_ratio_200k_vs_20k']}x; "
          f"fetch-all / streaming at 200k: {results['rss_ratio_fetch_all_vs_streaming_200k']}x.")


if __name__ == "__main__":
    main()
