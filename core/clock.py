"""Time helpers shared by every layer: a time made timezone-aware, and a timezone looked up by name."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def aware(moment: datetime | None) -> datetime:
    """The given time (a naive one read as UTC), or now in UTC when None."""
    moment = moment or datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo | None:
    """The IANA timezone called `name`, or None when there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
