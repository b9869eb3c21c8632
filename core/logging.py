"""One logging setup for the CLI, the Slack app and the jobs."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

_SECRET_KEYS = ("token", "secret", "password", "api_key", "authorization")


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload)


class _RedactSecrets(logging.Filter):
    """Drop structured extras whose names look like secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key in list(record.__dict__):
            if any(marker in key.lower() for marker in _SECRET_KEYS):
                record.__dict__[key] = "[redacted]"
        return True


def setup_logging(level: str = "INFO", *, json_format: bool = False) -> None:
    """Configure the root logger once: stderr, one line per record."""
    handler = logging.StreamHandler(sys.stderr)
    if json_format:
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "chromadb", "sentence_transformers", "urllib3", "bm25s"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
