"""Two `badger serve --http` replicas on one PostgreSQL and one Chroma server, as an operator runs them.

A replica killed -9 in the middle of a burst loses none of the questions it acknowledged (the survivor answers
them, each once) and leaves no process behind; a replica stopped with SIGTERM while questions are queued exits
within its grace and the other replica finishes the work.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from knowledge.base import KnowledgeBase
from tests.bot.slack.conftest import SECRET, TOKEN, signature
from tests.fakes.slack_server import FakeSlack
from tests.knowledge.conftest import make_settings
from tests.servers import ChromaServer
from tests.skills.assistant.conftest import CATALOGUE, add_org

ROOT = Path(__file__).resolve().parents[2]
GRACE = 5
QUERIES = ["sql", "python", "kubernetes", "aws", "data", "security", "cloud", "excel"]


@dataclass
class Replica:
    """One `badger serve --http` process and its base URL."""

    process: subprocess.Popen[str]
    url: str

    def children(self) -> list[int]:
        """The pids of its child processes (answer workers and their helpers)."""
        found = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True,
                               text=True, check=False).stdout.split()
        return [int(pid) for pid in found]


def alive(pid: int) -> bool:
    """True while a process with this pid exists (and is not a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def wait_until(check: Callable[[], object], timeout: float, what: str) -> None:
    """Poll `check` until it is truthy, failing with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def start_replica(tmp_path: Path, slack: FakeSlack, postgres_url: str,
                  chroma_server: ChromaServer) -> Iterator[Callable[..., Replica]]:
    """Start replicas over one database and index (catalogue and org loaded once)."""
    collection = f"cat-{uuid.uuid4().hex[:8]}"
    kb = KnowledgeBase(make_settings(badger_data_dir=tmp_path / "loader", database_url=postgres_url,
                                     chroma_url=chroma_server.url, chroma_collection=collection))
    kb.load([CATALOGUE])
    add_org(kb)
    kb.engine.dispose()
    started: list[Replica] = []

    def _start(name: str, *, answer_processes: int) -> Replica:
        env = {**os.environ, "BADGER_DATA_DIR": str(tmp_path / name), "DATABASE_URL": postgres_url,
               "CHROMA_URL": chroma_server.url, "CHROMA_COLLECTION": collection, "SLACK_BOT_TOKEN": TOKEN,
               "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url, "COLUMNS": "250",
               "BADGER_ANSWER_PROCESSES": str(answer_processes), "BADGER_WORK_LEASE_SECONDS": "4",
               "BADGER_WORK_POLL_SECONDS": "0.2", "BADGER_SHUTDOWN_GRACE_SECONDS": str(GRACE),
               "PYTHONPATH": str(ROOT)}
        for unset in ("SLACK_APP_TOKEN", "OPENAI_API_KEY", "PROMETHEUS_MULTIPROC_DIR"):
            env.pop(unset, None)
        process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--http", "--host", "127.0.0.1",
                                    "--port", "0"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        replica = Replica(process, "")
        started.append(replica)
        assert process.stdout is not None
        while not replica.url and (line := process.stdout.readline()):
            if match := re.search(r"(http://127\.0\.0\.1:\d+)/slack/events", line):
                replica.url = match.group(1)
        assert replica.url, f"replica {name} did not start"
        os.set_blocking(process.stdout.fileno(), False)  # its later logs are not read; never block on them
        wait_until(lambda: httpx.get(f"{replica.url}/readyz").json()["ok"], 180, f"replica {name} to be ready")
        return replica

    yield _start
    for replica in started:
        if replica.process.poll() is None:
            replica.process.kill()
            replica.process.wait()


def ask(slack: FakeSlack, replica: Replica, n: int) -> tuple[str, int]:
    """Send one signed /learn (its response_url named after it) to a replica; (name, HTTP status or 0)."""
    name = f"q{n}"
    body = urlencode({"command": "/learn", "text": QUERIES[n % len(QUERIES)], "user_id": "UDANA",
                      "channel_id": "C0LEARN", "team_id": "T0BADGER", "trigger_id": f"trig-{name}",
                      "response_url": slack.response_url(name)}).encode()
    ts = int(time.time())
    try:
        response = httpx.post(f"{replica.url}/slack/events", content=body, timeout=10, headers={
            "X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": signature(body, ts),
            "Content-Type": "application/x-www-form-urlencoded"})
    except httpx.HTTPError:
        return name, 0
    return name, response.status_code


def answers(slack: FakeSlack) -> Counter[str]:
    """How many answers each response_url received."""
    return Counter(call.path.rsplit("/", 1)[1] for call in slack.of("response_url"))


def test_a_replica_killed_mid_burst_loses_nothing_it_acked_and_leaves_no_process(
        start_replica: Callable[..., Replica], slack: FakeSlack) -> None:
    doomed, survivor = start_replica("a", answer_processes=1), start_replica("b", answer_processes=0)
    workers = doomed.children()
    assert workers, "the doomed replica has no answer process"

    event = {"type": "event_callback", "team_id": "T0BADGER", "api_app_id": "A0BADGER", "event_id": "EvBOTH",
             "event_time": int(time.time()),
             "event": {"type": "message", "channel_type": "im", "channel": "DDANA", "user": "UDANA",
                       "text": "my status", "ts": "1.5"}}
    raw = json.dumps(event).encode()
    for replica in (doomed, survivor):  # Slack's retry landing on the other replica
        ts = int(time.time())
        assert httpx.post(f"{replica.url}/slack/events", content=raw, headers={
            "X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": signature(raw, ts),
            "Content-Type": "application/json"}).status_code == 200

    with ThreadPoolExecutor(8) as pool:  # a burst over both replicas; the doomed one dies after its acks
        burst = list(pool.map(lambda n: ask(slack, (doomed, survivor)[n % 2], n), range(24)))
        doomed.process.kill()
        doomed.process.wait()
        burst += list(pool.map(lambda n: ask(slack, survivor, n), range(24, 32)))
    acked = {name for name, status in burst if status == 200}
    assert len(acked) == 32

    wait_until(lambda: acked <= set(answers(slack)), 90, "every acknowledged question to be answered")
    sentinel, status = ask(slack, survivor, 99)  # answered after any late duplicate would have been
    assert status == 200
    wait_until(lambda: sentinel in answers(slack), 30, "the sentinel's answer")
    assert {name: count for name, count in answers(slack).items() if count != 1} == {}
    assert len(slack.of("chat.update")) == 1  # the event sent to both replicas was answered once
    wait_until(lambda: not any(alive(pid) for pid in workers), 30, "the killed replica's answer process to exit")


def test_sigterm_with_a_backlog_exits_within_the_grace_and_the_other_replica_finishes(
        start_replica: Callable[..., Replica], slack: FakeSlack) -> None:
    leaving, staying = start_replica("a", answer_processes=1), start_replica("b", answer_processes=0)
    workers = leaving.children()
    with ThreadPoolExecutor(8) as pool:
        burst = list(pool.map(lambda n: ask(slack, leaving, n), range(24)))
    acked = {name for name, status in burst if status == 200}
    assert len(acked) == 24
    leaving.process.send_signal(signal.SIGTERM)
    assert leaving.process.wait(timeout=GRACE + 15) == 0
    wait_until(lambda: acked <= set(answers(slack)), 60, "the other replica to answer the backlog")
    assert {name: count for name, count in answers(slack).items() if count != 1} == {}
    # its helpers (the answer process, multiprocessing's resource tracker) see it gone and exit just after it
    wait_until(lambda: not any(alive(pid) for pid in workers), 30, "the stopped replica's processes to exit")
    assert httpx.get(f"{staying.url}/readyz").json()["ok"] is True
