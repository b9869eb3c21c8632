"""Scale-out: ack latency on the production server, and what a kill -9 of one of two replicas costs.

Part 1 (ack): signed `/learn` commands from 50 concurrent clients (threads in another process), Badger's whole
web app (`bot.web.app`, Bolt dispatched on a thread, the question queued in PostgreSQL-or-SQLite in the ack)
against a bare Bolt app with an empty `/learn` handler, both behind the same server (uvicorn, `bot.web.server`),
alternating rounds (bench_slack's machinery, fewer rounds). Targets (issue 12): Badger p99 ≤ 1.5× bare and
≤ 100 ms, 0 errors.

Part 2 (kill -9): two real `badger serve --http` replicas (one answer process each) on one throwaway PostgreSQL
and one Chroma server (tests/servers.py), a fake Slack in its own process. A burst of signed `/learn` spread over
both; replica A is killed -9 right after its last ack, the rest of the burst goes to B. Counted: acknowledged,
answered, answered twice; the survivor's pick-up time (from the kill to the last of A's questions answered,
bounded below by BADGER_WORK_LEASE_SECONDS for the ones A had claimed); whether A's answer process outlived it.

Writes bench/results/scaleout.json and prints Markdown (progress on stderr).

    python -m bench.bench_scaleout [--rounds 3] [--burst 60] [--lease 10]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from sqlmodel import Session

from bench import bench_slack
from bench.common import ROOT, write_result
from core.settings import Settings
from knowledge.base import KnowledgeBase
from skills.org import demo_file, load_org, load_role_profiles

TARGET_RATIO, TARGET_P99_MS = 1.5, 100.0


def ack_latency(rounds: int, clients: int, requests: int) -> dict[str, object]:
    """Part 1: Badger vs bare Bolt on the same server; the summaries and the verdict."""
    args = argparse.Namespace(clients=clients, requests=requests, rounds=rounds)
    load, fake = bench_slack.LoadGenerator(), bench_slack.RemoteSlack()
    try:
        with contextlib.ExitStack() as stack:
            app, services = bench_slack._ours(fake)
            stack.callback(services.stop_workers, 5)
            ours = bench_slack._serve(stack, "ours", app, services)
            bare = bench_slack._serve(stack, "bare", bench_slack._bare(fake))
            bench_slack._rounds(args, load, fake, ours, bare)
    finally:
        fake.stop()
        load.stop()
    mine, floor = bench_slack._summary(ours.acks_ms), bench_slack._summary(bare.acks_ms)
    ratio = {q: round(mine[q] / floor[q], 2) for q in ("p50", "p99")}
    return {"ours": mine, "bare": floor, "ratio": ratio, "errors": {"ours": ours.errors, "bare": bare.errors},
            "met": ratio["p99"] <= TARGET_RATIO and mine["p99"] <= TARGET_P99_MS and ours.errors == bare.errors == 0}


def _replica(name: str, env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--http", "--host", "127.0.0.1",
                                "--port", "0"], cwd=cwd, env={**env, "BADGER_DATA_DIR": str(cwd / name)},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    while line := process.stdout.readline():
        if match := re.search(r"http://127\.0\.0\.1:(\d+)/slack/events", line):
            os.set_blocking(process.stdout.fileno(), False)
            return process, int(match.group(1))
    raise RuntimeError(f"replica {name} did not start")


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False)
    return [int(p) for p in out.stdout.split()]


def kill_one_of_two(burst: int, lease: float) -> dict[str, object]:
    """Part 2: the burst, the kill -9, the survivor's pick-up."""
    from tests.servers import ChromaServer, PostgresCluster

    cluster, chroma, fake = PostgresCluster(), ChromaServer(), bench_slack.RemoteSlack()
    work = Path(tempfile.mkdtemp(prefix="badger-bench-scaleout-"))
    replicas: list[subprocess.Popen[str]] = []
    try:
        url, collection = cluster.create_database("scaleout"), f"bench-{uuid.uuid4().hex[:8]}"
        settings = Settings(_env_file=None, badger_data_dir=work / "loader", database_url=url,  # type: ignore[call-arg]
                            chroma_url=chroma.url, chroma_collection=collection)
        from bot.cli_db import upgrade_database

        upgrade_database(url)
        kb = KnowledgeBase(settings)
        with Session(kb.engine) as session:
            load_org(session, demo_file("org.csv"))
            load_role_profiles(session, demo_file("roles.yaml"))
            session.commit()
        kb.load([bench_slack.DEMO])
        kb.engine.dispose()
        env = {**os.environ, "DATABASE_URL": url, "CHROMA_URL": chroma.url, "CHROMA_COLLECTION": collection,
               "SLACK_BOT_TOKEN": bench_slack.TOKEN, "SLACK_SIGNING_SECRET": bench_slack.SECRET,
               "SLACK_API_URL": fake.api_url, "BADGER_ANSWER_PROCESSES": "1", "BADGER_WORK_LEASE_SECONDS": str(lease),
               "BADGER_WORK_POLL_SECONDS": "0.2", "PYTHONPATH": str(ROOT), "COLUMNS": "250"}
        for unset in ("SLACK_APP_TOKEN", "OPENAI_API_KEY", "PROMETHEUS_MULTIPROC_DIR"):
            env.pop(unset, None)
        print("starting two replicas…", file=sys.stderr)
        (a, port_a), (b, port_b) = _replica("a", env, work), _replica("b", env, work)
        replicas += [a, b]
        a_workers = _children(a.pid)

        def send(n: int, port: int) -> tuple[str, int, int]:
            name = f"k{n}"
            form = {"command": "/learn", "text": ["sql", "python", "cloud", "data"][n % 4], "user_id": "U0DEMO1",
                    "channel_id": "C0BENCH", "team_id": "T0BADGER", "trigger_id": f"trig-{name}",
                    "response_url": fake.response_url(name)}
            try:
                return name, port, bench_slack._post(port, urlencode(form).encode())[1]
            except OSError:
                return name, port, 0

        half = burst * 2 // 3
        with ThreadPoolExecutor(16) as pool:
            sent = list(pool.map(lambda n: send(n, (port_a, port_b)[n % 2]), range(half)))
            a.kill()
            killed_at = time.monotonic()
            a.wait()
            sent += list(pool.map(lambda n: send(n, port_b), range(half, burst)))
        acked = {name for name, _, status in sent if status == 200}
        a_acked = {name for name, port, status in sent if status == 200 and port == port_a}
        deadline = time.monotonic() + lease + 120
        answered: Counter[str] = Counter()
        times: dict[str, float] = {}
        while time.monotonic() < deadline:
            calls = fake.responses()
            answered = Counter(path.rsplit("/", 1)[1] for path, _ in calls)
            for path, at in calls:
                times.setdefault(path.rsplit("/", 1)[1], at)
            if acked <= set(answered):
                break
            time.sleep(0.2)
        time.sleep(lease + 1)  # any duplicate from a lost lease would arrive by now
        answered = Counter(path.rsplit("/", 1)[1] for path, _ in fake.responses())
        late = [times[n] - killed_at for n in a_acked if n in times and times[n] > killed_at]
        orphans_alive = [pid for pid in a_workers if Path(f"/proc/{pid}").exists()
                         and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
        return {"burst": burst, "acked": len(acked), "acked_by_killed": len(a_acked),
                "answered": len(acked & set(answered)), "duplicated": sum(1 for n in acked if answered[n] > 1),
                "answered_after_kill_by_survivor": len(late),
                "pickup_s": round(max(late), 2) if late else 0.0, "lease_s": lease,
                "killed_replica_processes_left": len(orphans_alive)}
    finally:
        for process in replicas:
            if process.poll() is None:
                process.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(30)
        fake.stop()
        chroma.stop()
        cluster.stop()


def main(argv: list[str] | None = None) -> int:
    """Run both parts; print the Markdown."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="ack rounds per app, alternating")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=4, help="commands per client per round")
    parser.add_argument("--burst", type=int, default=60, help="commands in the kill -9 burst")
    parser.add_argument("--lease", type=float, default=10.0, help="BADGER_WORK_LEASE_SECONDS for the replicas")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    print("part 1: ack latency…", file=sys.stderr)
    acks = ack_latency(args.rounds, args.clients, args.requests)
    print(f"ack latency: {acks}", file=sys.stderr)
    print("part 2: kill -9 of one of two replicas…", file=sys.stderr)
    kill = kill_one_of_two(args.burst, args.lease)
    path = write_result("scaleout", {"ack_ms": acks, "kill": kill, "targets": {"ratio_p99": TARGET_RATIO,
                                                                              "p99_ms": TARGET_P99_MS},
                                     "seconds": round(time.perf_counter() - began, 1)})
    ours, bare, ratio = acks["ours"], acks["bare"], acks["ratio"]
    assert isinstance(ours, dict) and isinstance(bare, dict) and isinstance(ratio, dict)
    tick = {True: "✅", False: "❌"}
    print(f"Ack latency, {args.clients} concurrent clients, signed `/learn`, {args.rounds} alternating rounds of "
          f"{args.clients * args.requests} per app, both behind uvicorn (`bot.web.server`):\n")
    print("| ack latency | p50 | p99 | max | errors |\n|---|---|---|---|---|")
    errors = acks["errors"]
    assert isinstance(errors, dict)
    for label, s, e in (("bare Bolt app", bare, errors["bare"]), ("Badger", ours, errors["ours"])):
        print(f"| {label} | {s['p50']} ms | {s['p99']} ms | {s['max']} ms | {e} |")
    print(f"| ratio | {ratio['p50']}× | {ratio['p99']}× {tick[bool(acks['met'])]} | | |\n")
    print(f"Kill -9 of one of two replicas after its acks (burst of {kill['burst']}, lease {kill['lease_s']:g} s):\n")
    print("| acked | of them by the killed replica | answered | duplicated | survivor pick-up | processes left |")
    print("|---|---|---|---|---|---|")
    print(f"| {kill['acked']} | {kill['acked_by_killed']} | {kill['answered']} | {kill['duplicated']} | "
          f"{kill['pickup_s']} s | {kill['killed_replica_processes_left']} |")
    print(f"\nwritten to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
