"""Where answers are worked out: workers that claim acknowledged questions from the durable work queue.

The ack writes the question as a row (core.queue); workers claim rows with a lease, answer, and mark them done.
With BADGER_ANSWER_PROCESSES > 0 the workers are processes of their own (their own GIL, a lower OS priority, so
a burst cannot slow the acks) that exit when their parent dies, however it died; with 0 they are threads of the
serving process. Workers of every replica share the queue: a replica that dies leaves rows whose lease runs out.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol

from slack_sdk import WebClient

from bot.slack.replies import Place
from bot.slack.turns import reply
from core import queue
from core.clock import aware
from skills.assistant.intents import Intent, Parsed, Refinement
from skills.assistant.messages import Message

if TYPE_CHECKING:
    from bot.slack.services import Services
    from core.settings import Settings

logger = logging.getLogger(__name__)
WORKER_NICENESS = 10
SUPERVISE_EVERY = 1.0  # seconds between checks that every answer process is alive
FLAG_POLL = 0.05  # seconds between looks at a SharedFlag while waiting on it
KIND = "answer"
RESPONSE_URL_LIFE = timedelta(minutes=30)  # Slack's limit; older questions are answered by DM
PR_SET_PDEATHSIG = 1
PRUNE_EVERY = 3600.0  # seconds between prunes of done work items


@dataclass(frozen=True)
class Task:
    """One question to answer: where it was asked and either its words or the intent a command parsed."""

    place: Place
    op: Literal["handle", "run"]
    text: str = ""
    parsed: Parsed | None = None

    def to_payload(self) -> dict[str, Any]:
        """The task as JSON-ready data for the work queue."""
        parsed = dataclasses.asdict(self.parsed) if self.parsed is not None else None
        return {"place": dataclasses.asdict(self.place), "op": self.op, "text": self.text, "parsed": parsed}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Task:
        """A task read back from the work queue."""
        parsed = None
        if (p := data.get("parsed")) is not None:
            refine = Refinement(**p["refine"]) if p.get("refine") else None
            parsed = Parsed(**{**p, "intent": Intent(p["intent"]), "refine": refine})
        return cls(Place(**data["place"]), data["op"], data.get("text", ""), parsed)


def produce(services: Services, task: Task) -> Message:
    """The assistant's answer to a task."""
    assistant, place = services.assistant, task.place
    if task.op == "run" and task.parsed is not None:
        return assistant.run(actor=place.actor, key=place.key, parsed=task.parsed, said=task.text)
    return assistant.handle(actor=place.actor, key=place.key, text=task.text)


def answer(services: Services, client: WebClient, task: Task) -> None:
    """Answer now, in this thread: placeholder, answer, delivery, apology on failure."""
    reply(client, task.place, lambda: produce(services, task))


class Flag(Protocol):
    """A threading.Event or a multiprocessing one."""

    def is_set(self) -> bool: ...
    def set(self) -> None: ...
    def clear(self) -> None: ...
    def wait(self, timeout: float | None = None) -> bool: ...


def replica_id() -> str:
    """This process's name in the queue's `holder` column: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def work(services: Services, client: WebClient, item: queue.Claim) -> str:
    """Do one claimed item; its outcome (answered, answered_by_dm, lost)."""
    task = Task.from_payload(item.payload)
    outcome = "answered"
    if task.place.response_url and aware(None) - item.created_at > RESPONSE_URL_LIFE:
        # The response_url is dead; the user still gets the answer, in their DM with the app.
        task = dataclasses.replace(task, place=Place(user=task.place.user))
        outcome = "answered_by_dm"
        logger.warning("work.expired_response_url key=%s age=%.0fs; answering by DM", item.key,
                       (aware(None) - item.created_at).total_seconds())
    if not queue.still_mine(services.engine, item):
        return "lost"  # another worker took it over after our lease ran out: it answers, not us
    answer(services, client, task)
    return outcome


def run_worker(services: Services, client: WebClient, *, holder: str, stop: Flag, wake: Flag,
               lease_seconds: float, poll_seconds: float) -> None:
    """Claim and answer until `stop` is set (finishing the item in hand), then give back any claim still held."""
    from core.metrics import ANSWER_SECONDS

    lease_for = timedelta(seconds=lease_seconds)
    last_prune = float("-inf")
    try:
        while not stop.is_set():
            if time.monotonic() - last_prune >= PRUNE_EVERY:
                last_prune = time.monotonic()
                with contextlib.suppress(Exception):
                    queue.prune(services.engine)
            try:
                items = queue.claim(services.engine, holder=holder, lease_for=lease_for)
            except Exception:
                logger.exception("work.claim_failed; retrying in %.1fs", poll_seconds)
                stop.wait(poll_seconds)
                continue
            if not items:
                wake.wait(poll_seconds)
                wake.clear()
                continue
            for item in items:
                with _renewing(services, item, lease_seconds):
                    outcome = work(services, client, item)
                if outcome != "lost" and queue.finish(services.engine, item, outcome=outcome):
                    ANSWER_SECONDS.observe((aware(None) - item.created_at).total_seconds())
                logger.info("work.done key=%s outcome=%s attempts=%d", item.key, outcome, item.attempts)
    finally:
        with contextlib.suppress(Exception):
            queue.release(services.engine, holder=holder)


@contextlib.contextmanager
def _renewing(services: Services, item: queue.Claim, lease_seconds: float) -> Iterator[None]:
    """Renew the item's lease every third of it while the block runs (a slow answer is not taken over)."""
    done = threading.Event()

    def renew() -> None:
        while not done.wait(lease_seconds / 3):
            with contextlib.suppress(Exception):
                if not queue.renew(services.engine, item):
                    return

    thread = threading.Thread(target=renew, name="badger-lease", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


class AnswerThreads:
    """Workers as threads of this process (BADGER_ANSWER_PROCESSES=0, and tests)."""

    def __init__(self, services: Services, client: WebClient, count: int) -> None:
        settings = services.settings
        self.holder, self.stop, self.wake = replica_id(), threading.Event(), threading.Event()
        self.threads = [threading.Thread(target=run_worker, args=(services, client), daemon=True,
                                         name=f"badger-answer-{n}",
                                         kwargs={"holder": f"{self.holder}/t{n}", "stop": self.stop,
                                                 "wake": self.wake,
                                                 "lease_seconds": settings.badger_work_lease_seconds,
                                                 "poll_seconds": settings.badger_work_poll_seconds})
                        for n in range(count)]
        for thread in self.threads:
            thread.start()

    def close(self, grace: float) -> list[str]:
        """Stop claiming; wait up to `grace` seconds for the items in hand; the holders of threads still busy."""
        self.stop.set()
        self.wake.set()
        deadline = time.monotonic() + grace
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return [f"{self.holder}/t{n}" for n, thread in enumerate(self.threads) if thread.is_alive()]


class AnswerPool:
    """Worker processes; each builds its own services and Slack client from the settings.

    A supervisor thread restarts a worker that died (the OOM killer, a crash) and hands its claim back at once
    through `on_death`, so the replica keeps answering and the question in hand is not left to its lease.
    """

    def __init__(self, settings: Settings, processes: int, *,
                 on_death: Callable[[str], None] | None = None) -> None:
        self.context = multiprocessing.get_context("spawn")  # no fork: the parent runs threads and torch
        self.settings, self.on_death = settings, on_death
        self.holder = replica_id()
        self.stop, self.wake = SharedFlag(self.context), SharedFlag(self.context)
        self.started = self.context.RawValue("i", 0)  # workers whose model is loaded and who are claiming
        self.processes = [self._spawn(n) for n in range(processes)]
        self._supervisor = threading.Thread(target=self._supervise, name="badger-answer-supervisor", daemon=True)
        self._supervisor.start()

    def _spawn(self, n: int) -> Any:
        process = self.context.Process(target=_worker_main, name=f"badger-answer-{n}", daemon=True,
                                       args=(self.settings, os.getpid(), f"{self.holder}/p{n}", self.stop, self.wake,
                                             self.started))
        process.start()
        return process

    def _supervise(self) -> None:
        while not self.stop.wait(SUPERVISE_EVERY):
            for n, process in enumerate(self.processes):
                if process.is_alive() or self.stop.is_set():
                    continue
                logger.warning("slack.answer_process_died n=%d exitcode=%s; restarting it", n, process.exitcode)
                if self.on_death is not None:
                    with contextlib.suppress(Exception):
                        self.on_death(f"{self.holder}/p{n}")
                self.processes[n] = self._spawn(n)

    @property
    def ready(self) -> bool:
        """True once a worker process has loaded its model and claims questions."""
        return bool(self.started.value)

    def close(self, grace: float) -> list[str]:
        """Stop claiming; wait up to `grace` seconds, then kill the stragglers; the holders whose claims remain."""
        self.stop.set()
        self.wake.set()
        self._supervisor.join(SUPERVISE_EVERY * 2)
        deadline = time.monotonic() + grace
        for process in self.processes:
            process.join(max(0.0, deadline - time.monotonic()))
        stragglers = []
        for n, process in enumerate(self.processes):
            if process.is_alive():
                process.kill()
                process.join(5)
                stragglers.append(f"{self.holder}/p{n}")
        return stragglers


class SharedFlag:
    """A flag shared with worker processes that takes no lock, so a worker killed mid-call cannot wedge it.

    (multiprocessing.Event holds a semaphore while it is read or waited on: a worker SIGKILLed inside `wait`
    leaves it held, and the parent's next `set` blocks for ever.)
    """

    def __init__(self, context: Any) -> None:
        self.value = context.RawValue("i", 0)

    def is_set(self) -> bool:
        return bool(self.value.value)

    def set(self) -> None:
        self.value.value = 1

    def clear(self) -> None:
        self.value.value = 0

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.value.value:
            left = 1.0 if deadline is None else deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(FLAG_POLL, left))
        return True


class _Stop:
    """The pool's shared stop flag, or this process's own (its parent died, or it was sent SIGTERM)."""

    def __init__(self, shared: Flag) -> None:
        self.shared, self.local = shared, threading.Event()

    def is_set(self) -> bool:
        return self.local.is_set() or self.shared.is_set()

    def set(self) -> None:
        self.local.set()

    def clear(self) -> None:
        self.local.clear()

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.is_set() and (deadline is None or time.monotonic() < deadline):
            self.local.wait(0.1 if deadline is None else max(0.0, min(0.1, deadline - time.monotonic())))
        return self.is_set()


def die_with_parent(parent: int, stop: Flag, grace: float) -> None:
    """Stop when the parent dies, however it was killed: PR_SET_PDEATHSIG (Linux) sends us SIGTERM, a watchdog
    on the parent's pid covers the rest. The answer in hand is finished (and marked done) within `grace`."""

    def leave() -> None:
        stop.set()
        threading.Timer(grace, os._exit, args=(0,)).start()

    signal.signal(signal.SIGTERM, lambda *_: leave())
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        leave()

    if os.getppid() != parent:  # it died before prctl took effect
        leave()
    else:
        threading.Thread(target=watch, name="badger-parent-watchdog", daemon=True).start()


def _worker_main(settings: Settings, parent: int, holder: str, shared_stop: Flag, wake: Flag, started: Any) -> None:
    from bot.slack.services import Services
    from jobs.slack_client import web_client

    stop = _Stop(shared_stop)
    die_with_parent(parent, stop, settings.badger_shutdown_grace_seconds)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent drains us
    with contextlib.suppress(OSError):  # not permitted: same priority, still correct
        os.nice(WORKER_NICENESS)
    _one_core(torch=settings.embedding_backend == "local")
    services = Services.build(settings)
    services.warm_up()
    started.value += 1  # no lock (see SharedFlag): readiness needs only one worker counted
    run_worker(services, web_client(settings), holder=holder, stop=stop, wake=wake,
               lease_seconds=settings.badger_work_lease_seconds, poll_seconds=settings.badger_work_poll_seconds)
    os._exit(0)  # the model's threads are not waited for


def _one_core(*, torch: bool) -> None:
    """Keep each answer process on one core: idle torch/BLAS pool threads spin on the core the acks need."""
    # Measured in bench_slack: Badger's ack p99 ~160 ms with the default pools, ~115 ms with one thread.
    from threadpoolctl import threadpool_limits

    if torch:  # local embeddings only: with OpenAI's, torch (~300 MB) is never loaded
        import torch as torch_module

        torch_module.set_num_threads(1)
    threadpool_limits(1)
