"""When the deliverer may call Slack: one post a second per channel, and Retry-After pauses by scope.

A 429 from chat.postMessage pauses the channel it was posting to; a 429 from another method (conversations.open,
conversations.history, ...) pauses that method, Slack's limits being per method and workspace. Slack does not say
when a 429 is its workspace-wide limit; a second scope limited while another pause still runs is read as that,
and pauses every call until the later Retry-After. An outage pauses everything too. Shared by the deliverer's
threads; the pauses live in this process (another replica learns them from its own 429s).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime, timedelta

WORKSPACE = "workspace"
POSTING = frozenset({"chat.postMessage", "chat.update"})  # limited per channel


def method_key(method: str) -> str:
    """The pause key of an API method."""
    return f"method:{method}"


class Gate:
    """Thread-safe pacing and pauses; keys are channel ids, "#names", user ids and method keys."""

    def __init__(self, channel_interval: timedelta) -> None:
        self.channel_interval = channel_interval
        self._lock = threading.Lock()
        self._paused: dict[str, datetime] = {}  # key (or WORKSPACE) -> paused until
        self._last_post: dict[str, datetime] = {}  # channel key -> when a post there was last allowed or done

    def paused_until(self, keys: Iterable[str], now: datetime) -> datetime | None:
        """The end of the longest pause now holding any of `keys` (or the workspace), else None."""
        with self._lock:
            ends = [until for key in (WORKSPACE, *keys) if (until := self._paused.get(key)) is not None and now < until]
        return max(ends, default=None)

    def pause(self, key: str, until: datetime, now: datetime) -> str:
        """Pause `key` (WORKSPACE for everything) until `until`; the scope actually paused (see the module doc)."""
        with self._lock:
            others = [end for k, end in self._paused.items() if k not in (key, WORKSPACE) and now < end]
            if key != WORKSPACE and others:
                key, until = WORKSPACE, max(until, *others)
            if until > self._paused.get(key, until - timedelta(seconds=1)):
                self._paused[key] = until
            return "workspace" if key == WORKSPACE else "method" if key.startswith("method:") else "channel"

    def reserve_post(self, keys: Iterable[str], now: datetime) -> datetime | None:
        """Take the channel's slot for a post now, or say when the next slot is (a post there was too recent)."""
        keys = list(keys)
        with self._lock:
            last = max((t for k in keys if (t := self._last_post.get(k)) is not None and t <= now), default=None)
            if last is not None and now < last + self.channel_interval:
                return last + self.channel_interval
            for key in keys:
                self._last_post[key] = now
            return None

    def posted(self, keys: Iterable[str], now: datetime) -> None:
        """A post to the channel finished at `now`: the next one waits a full interval from here."""
        with self._lock:
            for key in keys:
                self._last_post[key] = max(now, self._last_post.get(key, now))
