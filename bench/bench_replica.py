"""Sizing one replica: memory of `badger serve --http` and its answer process, and answers per second per core.

A real `badger serve --http` process (BADGER_ANSWER_PROCESSES=1, local embeddings, the demo catalogue and org,
SQLite) answers signed `/learn` commands against the fake Slack (tests/fakes/slack_server.py, in this process).
Memory: resident set (VmRSS) of the serving process and of each process it started, once warm and idle, and
their peaks (VmHWM) after a burst. Throughput: a burst of commands sent back to back; answers per second from
the first command to the last answer at its response_url, and answers per CPU-second (user + system time of the
replica's processes over the burst), which is answers per second per fully used core.

Writes bench/results/replica.json and prints a Markdown table on stdout (progress on stderr).

    python -m bench.bench_replica [--burst 80]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlmodel import Session

from bench.bench_slack import DEMO, SECRET, TOKEN, _queries, _signed, _users
from bench.common import ROOT, write_result
from bot.cli_db import upgrade_database
from core.settings import Settings
from knowledge.base import KnowledgeBase
from skills.org import demo_file, load_org, load_role_profiles
from tests.fakes.slack_server import FakeSlack
from tests.servers import free_port

TICKS = os.sysconf("SC_CLK_TCK")


def prepare(data_dir: Path) -> None:
    """The demo catalogue and org in a fresh data dir, as `badger demo` loads them."""
    settings = Settings(badger_data_dir=data_dir, _env_file=None)  # type: ignore[call-arg]
    upgrade_database(settings.resolved_database_url)
    kb = KnowledgeBase(settings)
    with Session(kb.engine) as session:
        load_org(session, demo_file("org.csv"))
        load_role_profiles(session, demo_file("roles.yaml"))
        session.commit()
    kb.load([DEMO])
    kb.engine.dispose()


def descendants(pid: int) -> list[int]:
    """Every live process below `pid`."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = [], [pid]
    while frontier:
        children = [p for p, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def status_kb(pid: int, field: str) -> int:
    """A kB figure (VmRSS, VmHWM) from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the processes."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def send(url: str, slack: FakeSlack, name: str, text: str, user: str) -> None:
    """One signed /learn whose answer goes to the response_url `name`."""
    form = {"command": "/learn", "text": text, "user_id": user, "channel_id": "C0BENCH", "team_id": "T0BADGER",
            "api_app_id": "A0BADGER", "trigger_id": f"trig-{name}", "response_url": slack.response_url(name)}
    body = urlencode(form).encode()
    response = httpx.post(f"{url}/slack/events", content=body, headers=_signed(body), timeout=10)
    response.raise_for_status()


def answered(slack: FakeSlack, names: set[str], timeout: float) -> float:
    """Wait until each named response_url got its answer; the monotonic time of the last one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        calls = [c for c in slack.of("response_url") if c.path.rsplit("/", 1)[1] in names]
        if {c.path.rsplit("/", 1)[1] for c in calls} >= names:
            return max(c.at for c in calls)
        time.sleep(0.05)
    raise SystemExit(f"only {len(calls)} of {len(names)} answers arrived")


def measure(burst: int) -> dict[str, Any]:
    """Start a replica, warm it, read its memory, time a burst, stop it."""
    data_dir = Path(tempfile.mkdtemp(prefix="badger-bench-replica-"))
    print("loading the demo catalogue ...", file=sys.stderr)
    prepare(data_dir)
    slack, port = FakeSlack(), free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BADGER_DATA_DIR": str(data_dir), "SLACK_BOT_TOKEN": TOKEN,
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url, "BADGER_ANSWER_PROCESSES": "1"}
    for name in ("SLACK_APP_TOKEN", "OPENAI_API_KEY", "DATABASE_URL", "CHROMA_URL"):
        env.pop(name, None)
    log = (data_dir / "serve.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--http", "--host", "127.0.0.1",
                                "--port", str(port)], cwd=data_dir, env=env, stdout=log, stderr=subprocess.STDOUT)
    url, queries, users = f"http://127.0.0.1:{port}", _queries(), _users()
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("badger serve did not start:\n" + (data_dir / "serve.log").read_text()[-3000:])
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        print("warming up ...", file=sys.stderr)
        warm = {f"warm{i}" for i in range(5)}
        for i, name in enumerate(sorted(warm)):
            send(url, slack, name, queries[i], users[i % len(users)])
        answered(slack, warm, 180)
        time.sleep(2)  # let the replica settle before reading idle memory
        children = descendants(process.pid)
        idle = {"serve": status_kb(process.pid, "VmRSS")} | {str(p): status_kb(p, "VmRSS") for p in children}
        answer_pid = max(children, key=lambda p: status_kb(p, "VmRSS"))
        print(f"burst of {burst} ...", file=sys.stderr)
        names = [f"burst{i}" for i in range(burst)]
        cpu_before, started = cpu_seconds([process.pid, *children]), time.monotonic()
        answer_cpu_before = cpu_seconds([answer_pid])
        for i, name in enumerate(names):
            send(url, slack, name, queries[(i * 7) % len(queries)], users[i % len(users)])
        last = answered(slack, set(names), 300)
        elapsed = last - started
        cpu = cpu_seconds([process.pid, *children]) - cpu_before
        answer_cpu = cpu_seconds([answer_pid]) - answer_cpu_before
        peaks = {"serve": status_kb(process.pid, "VmHWM"), "answer": status_kb(answer_pid, "VmHWM")}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        slack.stop()
    mb = 1024
    others = sum(v for k, v in idle.items() if k not in ("serve", str(answer_pid)))
    rss = {"serve": round(idle["serve"] / mb), "answer": round(idle[str(answer_pid)] / mb), "other": round(others / mb),
           "total": round(sum(idle.values()) / mb)}
    return {"burst": burst, "idle_rss_mb": rss, "load_average_1m": os.getloadavg()[0],
            "peak_rss_mb": {k: round(v / mb) for k, v in peaks.items()},
            "seconds": round(elapsed, 2), "answers_per_second": round(burst / elapsed, 1),
            "cpu_seconds": round(cpu, 2), "answers_per_cpu_second": round(burst / cpu, 1),
            "answer_process_cpu_seconds": round(answer_cpu, 2)}


def main() -> None:
    """Run the measurement and print its table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", type=int, default=80)
    args = parser.parse_args()
    result = measure(args.burst)
    write_result("replica", {"catalogue": "demo", "answer_processes": 1, "embeddings": "local", **result})
    idle, peak = result["idle_rss_mb"], result["peak_rss_mb"]
    print("| One replica (`badger serve --http`, 1 answer process, local embeddings) | figure |")
    print("|---|---:|")
    print(f"| RSS idle, serving process | {idle['serve']} MB |")
    print(f"| RSS idle, answer process | {idle['answer']} MB |")
    print(f"| RSS idle, other helpers (multiprocessing's tracker) | {idle['other']} MB |")
    print(f"| RSS idle, whole replica | {idle['total']} MB |")
    print(f"| RSS peak after the burst, serving / answer process | {peak['serve']} / {peak['answer']} MB |")
    print(f"| burst of {result['burst']} `/learn`: answers/s (one answer process) | {result['answers_per_second']} |")
    print(f"| answers per CPU-second (≈ answers/s per fully used core) | {result['answers_per_cpu_second']} |")
    print(f"\nMachine load (1 min) at the end: {result['load_average_1m']:.1f} on {os.cpu_count()} cores; wall-clock "
          "answers/s falls with other load, answers per CPU-second does not.")


if __name__ == "__main__":
    main()
