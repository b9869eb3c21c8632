"""Prometheus metrics: the process-local ones (histograms, counters) and the ones read from the database.

With answer processes prometheus_client's multiprocess mode is on: the serving
process sets PROMETHEUS_MULTIPROC_DIR (`core.multiproc`) before anything imports this module, and
/metrics sums every process's files. Queue and outbox figures are read from the database at scrape time, so
they are right whichever replica is scraped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from core.multiproc import MULTIPROC_ENV

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0)

ACK_SECONDS = Histogram("badger_ack_seconds", "Time to acknowledge a Slack request (/slack/events).",
                        buckets=LATENCY_BUCKETS)
ANSWER_SECONDS = Histogram("badger_answer_seconds", "Time from a question's ack to its answer posted.",
                           buckets=LATENCY_BUCKETS)
SLACK_RATELIMITED = Counter(
    "badger_slack_ratelimited", "Slack calls answered 429/ratelimited, by method and what was paused "
    "(channel, method or workspace).", ["method", "scope"])
SLACK_ERRORS = Counter(
    "badger_slack_errors", "Slack calls that failed for another reason, by method and kind "
    "(outage, transient, permanent).", ["method", "kind"])
NOTICES_DELIVERED = Counter(
    "badger_outbox_delivered", "Outbox notices that reached an end: sent, recovered (found already in Slack) "
    "or failed for good.", ["outcome"])


def slack_error(exc: BaseException, *, method: str = "-") -> None:
    """Count a failed Slack call outside the outbox: ratelimited (HTTP 429, scope method) or an error."""
    response = getattr(exc, "response", None)
    if getattr(response, "status_code", None) == 429:
        SLACK_RATELIMITED.labels(method, "method").inc()
    else:
        SLACK_ERRORS.labels(method, "error").inc()


class DatabaseCollector(Collector):
    """Work-queue depth and oldest age, outbox backlog and failures, and the scheduler's leader, read at scrape."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        """Gauges read from the database now."""
        from core import queue
        from core.clock import aware
        from skills.models import Notice, SchedulerLock

        depth = queue.depth(self.engine)
        work = GaugeMetricFamily("badger_work_queue_depth", "Acknowledged questions not answered yet, by state.",
                                 labels=["state"])
        work.add_metric(["pending"], depth.pending)
        work.add_metric(["working"], depth.working)
        yield work
        yield GaugeMetricFamily("badger_work_queue_oldest_seconds", "Age of the oldest unanswered question.",
                                value=depth.oldest_age)
        with self.engine.connect() as conn:
            counts: dict[str, int] = {str(status): int(n) for status, n in conn.execute(
                select(col(Notice.status), func.count()).group_by(col(Notice.status))).all()}
            lock = conn.execute(select(col(SchedulerLock.holder), col(SchedulerLock.expires_at))).first()
        outbox = GaugeMetricFamily("badger_outbox_backlog", "Outbox notices not sent yet, by status.",
                                   labels=["status"])
        for status in ("pending", "sending", "held"):
            outbox.add_metric([status], counts.get(status, 0))
        yield outbox
        yield GaugeMetricFamily("badger_outbox_failed", "Outbox notices that failed for good.",
                                value=counts.get("failed", 0))
        leader = GaugeMetricFamily("badger_scheduler_leader", "1 for the replica holding the scheduler's lease.",
                                   labels=["holder"])
        if lock is not None and aware(lock[1]) > aware(datetime.now().astimezone()):
            leader.add_metric([str(lock[0])], 1)
        yield leader


def render(engine: Engine | None) -> tuple[bytes, str]:
    """The /metrics body and its content type: every process's metrics plus the database's."""
    from prometheus_client import CONTENT_TYPE_LATEST

    registry = CollectorRegistry()
    if (path := os.environ.get(MULTIPROC_ENV)) and Path(path).is_dir():
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        for collector in (ACK_SECONDS, ANSWER_SECONDS, SLACK_RATELIMITED, SLACK_ERRORS, NOTICES_DELIVERED):
            registry.register(collector)
    if engine is not None:
        registry.register(DatabaseCollector(engine))
    return generate_latest(registry), CONTENT_TYPE_LATEST


__all__ = ["ACK_SECONDS", "ANSWER_SECONDS", "NOTICES_DELIVERED", "REGISTRY", "SLACK_ERRORS", "SLACK_RATELIMITED",
           "render", "slack_error"]
