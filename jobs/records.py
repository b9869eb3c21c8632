"""Scheduled jobs of the learning records: retention purges and sending xAPI statements."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from core.clock import aware
from core.db import get_engine
from core.settings import get_settings
from skills.records.retention import Retention, purge

logger = logging.getLogger(__name__)


def purge_retention(now: datetime | None = None) -> dict[str, Any]:
    """Purge conversation turns, received event ids and delivered notices past BADGER_RETENTION_DAYS_*."""
    settings = get_settings()
    report = purge(get_engine(settings), now=aware(now).astimezone(UTC), rules=Retention.from_settings(settings))
    logger.info("job.retention conversation_turns=%d received_events=%d notices=%d", report["conversation_turns"],
                report["received_events"], report["notices"])
    return report
