"""Where answers are worked out: in this process's lazy threads, or in worker processes of their own.

With BADGER_ANSWER_PROCESSES > 0 the search and composition of an answer run in separate processes (their own
GIL, at a lower OS priority), so a burst of questions cannot slow the acks this process owes Slack. A task is
plain data (where to answer, and what was asked); the worker posts the answer itself with its own client.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from slack_sdk import WebClient

from bot.slack.replies import Place
from bot.slack.turns import reply
from skills.assistant.intents import Parsed
from skills.assistant.messages import Message

if TYPE_CHECKING:
    from bot.slack.services import Services
    from core.settings import Settings

logger = logging.getLogger(__name__)
WORKER_NICENESS = 10


@dataclass(frozen=True)
class Task:
    """One question to answer: where it was asked and either its words or the intent a command parsed."""

    place: Place
    op: Literal["handle", "run"]
    text: str = ""
    parsed: Parsed | None = None


def produce(services: Services, task: Task) -> Message:
    """The assistant's answer to a task."""
    assistant, place = services.assistant, task.place
    if task.op == "run" and task.parsed is not None:
        return assistant.run(actor=place.actor, key=place.key, parsed=task.parsed, said=task.text)
    return assistant.handle(actor=place.actor, key=place.key, text=task.text)


def answer(services: Services, client: WebClient, task: Task) -> None:
    """Answer now, in this thread: placeholder, answer, delivery, apology on failure."""
    reply(client, task.place, lambda: produce(services, task))


class AnswerPool:
    """Worker processes that answer tasks; each builds its own services and Slack client from the settings."""

    def __init__(self, settings: Settings, processes: int) -> None:
        context = multiprocessing.get_context("spawn")  # no fork: the parent runs threads and torch
        self.executor = ProcessPoolExecutor(processes, mp_context=context, initializer=_start_worker,
                                            initargs=(settings,))
        for _ in range(processes):  # start the workers (and load their model) now, not at the first question
            self.executor.submit(_ready)

    def submit(self, task: Task) -> Future[None]:
        """Queue a task; failures inside the worker are apologised for there, anything else is logged here."""
        future = self.executor.submit(_work, task)
        future.add_done_callback(_log_failure)
        return future

    def close(self) -> None:
        """Finish queued work and stop the workers."""
        self.executor.shutdown(wait=True, cancel_futures=False)


def _log_failure(future: Future[None]) -> None:
    if future.exception() is not None:
        logger.error("slack.answer_worker_failed", exc_info=future.exception())


_worker: tuple[Services, WebClient] | None = None


def _start_worker(settings: Settings) -> None:
    from bot.slack.services import Services
    from jobs.slack_client import web_client

    global _worker
    with contextlib.suppress(OSError):  # not permitted: same priority, still correct
        os.nice(WORKER_NICENESS)
    _one_core(torch=settings.embedding_backend == "local")
    services = Services.build(settings)
    services.warm_up()
    _worker = (services, web_client(settings))


def _one_core(*, torch: bool) -> None:
    """Keep each answer process on one core: idle torch/BLAS pool threads spin on the core the acks need."""
    # Measured in bench_slack: Badger's ack p99 ~160 ms with the default pools, ~115 ms with one thread.
    from threadpoolctl import threadpool_limits

    if torch:  # local embeddings only: with OpenAI's, torch (~300 MB) is never loaded
        import torch as torch_module

        torch_module.set_num_threads(1)
    threadpool_limits(1)


def _ready() -> bool:
    return _worker is not None


def _work(task: Task) -> None:
    assert _worker is not None, "the answer worker did not start"
    services, client = _worker
    answer(services, client, task)
