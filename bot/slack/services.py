"""What every listener needs: the settings, the knowledge base, the assistant; built once per process."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from core.settings import Settings
from knowledge.base import KnowledgeBase
from skills.assistant.memory import DatabaseThreads
from skills.assistant.service import Assistant
from skills.feedback_votes import FeedbackSource

if TYPE_CHECKING:
    from bot.slack.answers import AnswerPool, AnswerThreads, Task

logger = logging.getLogger(__name__)


@dataclass
class Services:
    """The process's shared objects (thread-safe: each call opens its own session)."""

    settings: Settings
    kb: KnowledgeBase
    assistant: Assistant
    pool: AnswerPool | None = None  # worker processes for answers (BADGER_ANSWER_PROCESSES)
    threads: AnswerThreads | None = None  # else answer threads in this process
    workers: ThreadPoolExecutor = field(init=False)  # slow work after the ack (Bolt's lazy listeners use it too)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.workers = ThreadPoolExecutor(self.settings.badger_slack_workers, thread_name_prefix="badger-lazy",
                                          initializer=_yield_to_acks)

    def defer(self, work: Callable[..., None], *args: Any) -> None:
        """Run work after the ack on the answer threads; a failure is logged (the work apologises itself)."""
        self.workers.submit(work, *args).add_done_callback(_log_failure)

    @classmethod
    def build(cls, settings: Settings, kb: KnowledgeBase | None = None) -> Services:
        """Services over the configured database and index (offline, or LLM mode with OPENAI_API_KEY)."""
        kb = kb or KnowledgeBase(settings)
        kb.searcher.feedback = FeedbackSource(kb.engine, half_life_days=settings.badger_feedback_half_life_days)
        return cls(settings, kb, Assistant.from_settings(kb, memory=DatabaseThreads(kb.engine)))

    def start_workers(self, client: WebClient | None = None, *, processes: bool = True) -> None:
        """Start the answer workers: BADGER_ANSWER_PROCESSES processes, or (0, or not `processes`) threads here."""
        from bot.slack.answers import AnswerPool, AnswerThreads

        with self._lock:
            if self.pool is not None or self.threads is not None:
                return
            if processes and self.settings.badger_answer_processes:
                self.pool = AnswerPool(self.settings, self.settings.badger_answer_processes,
                                       on_death=self._release_claims)
            else:
                from bot.slack.app import web_client

                self.threads = AnswerThreads(self, client or web_client(self.settings),
                                             self.settings.badger_slack_workers)

    def ask_after_ack(self, client: WebClient, task: Task, *, key: str) -> bool:
        """Queue a question in one INSERT keyed by the Slack request's id; False for a duplicate id."""
        from core import queue

        if self.pool is None and self.threads is None:  # tests: answer threads start on demand
            self.start_workers(client, processes=False)
        queued = queue.enqueue(self.engine, key=key, kind="answer", payload=task.to_payload())
        if queued:
            (self.pool or self.threads).wake.set()  # type: ignore[union-attr]
        return queued

    def _release_claims(self, holder: str) -> None:
        """Give back what a dead answer process held, so its replacement answers it now."""
        from core import queue

        released = queue.release(self.engine, holder=holder)
        logger.warning("work.released holder=%s items=%d (its answer process died)", holder, released)

    def stop_workers(self, grace: float) -> None:
        """Stop claiming, let the answers in hand finish within `grace` seconds, give back any claim left."""
        from core import queue

        busy = self.threads.close(grace) if self.threads is not None else []
        busy += self.pool.close(grace) if self.pool is not None else []
        for holder in busy:
            released = queue.release(self.engine, holder=holder)
            logger.warning("work.released holder=%s items=%d (shutdown grace ran out)", holder, released)

    def warm_up(self) -> None:
        """Load the model and the lexical index now (the first question isn't the slow one), then freeze the heap."""
        if self.kb.stats().active:
            self.kb.search("getting started", k=1)
        # Everything loaded so far lives as long as the process: moved out of the collector's sight, a full
        # collection triggered by answer work no longer walks it while acks wait for the GIL (bench_slack).
        gc.collect()
        gc.freeze()

    @property
    def engine(self) -> Engine:
        """The database engine."""
        return self.kb.engine


LAZY_NICENESS = 10


def _yield_to_acks() -> None:
    """Run answer threads at a lower OS priority (Linux allows it per thread), so acks get the CPU first."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or not permitted: same priority, still correct
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LAZY_NICENESS)


def _log_failure(future: Future[None]) -> None:
    if future.exception() is not None:
        logger.error("slack.deferred_failed", exc_info=future.exception())
