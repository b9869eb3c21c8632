"""Time helpers: naive times are read as UTC, unknown timezone names are None."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from core.clock import aware, zone


def test_a_naive_time_is_read_as_utc_and_an_aware_one_is_kept() -> None:
    assert aware(datetime(2026, 12, 1, 9, 30)) == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    tokyo = datetime(2026, 12, 1, 9, 30, tzinfo=timezone(timedelta(hours=9)))
    assert aware(tokyo) is tokyo


def test_no_time_means_now_in_utc() -> None:
    before = datetime.now(UTC)
    now = aware(None)
    assert now.tzinfo is not None and before <= now <= datetime.now(UTC)


def test_timezones_are_found_by_iana_name_only() -> None:
    found = zone("Europe/London")
    assert found is not None and str(found) == "Europe/London"
    assert zone("Mars/Olympus_Mons") is None
    assert zone("../etc/passwd") is None
