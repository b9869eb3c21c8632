"""Prometheus counters for the deliverer's Slack calls: rate limits (429s) and errors, by method and scope.

Defined on prometheus_client's default registry (in multiprocess mode, written to PROMETHEUS_MULTIPROC_DIR like
every other counter), which the production server's /metrics exposes.
"""

from __future__ import annotations

from prometheus_client import Counter

SLACK_RATELIMITED = Counter(
    "badger_outbox_slack_ratelimited", "Slack calls answered 429/ratelimited, by method and what was paused "
    "(channel, method or workspace).", ["method", "scope"])
SLACK_ERRORS = Counter(
    "badger_outbox_slack_errors", "Slack calls that failed for another reason, by method and kind "
    "(outage, transient, permanent).", ["method", "kind"])
NOTICES_DELIVERED = Counter(
    "badger_outbox_delivered", "Outbox notices that reached an end: sent, recovered (found already in Slack) "
    "or failed for good.", ["outcome"])
