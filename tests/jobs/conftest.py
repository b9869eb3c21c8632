"""The environment the job functions read: settings from environment variables, a SQLite database, a fake Slack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.db import get_engine
from core.settings import Settings, get_settings
from tests.fakes.slack_server import FakeSlack
from tests.skills.factories import Org, make_org


@pytest.fixture
def job_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, slack: FakeSlack) -> Iterator[Settings]:
    """Settings as a deployment sets them (read afresh by get_settings), pointed at the fake Slack."""
    for name, value in {"BADGER_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": "", "CHROMA_URL": "",
                        "SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_API_URL": slack.api_url,
                        "BADGER_TIMEZONE": "UTC"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def job_org(job_settings: Settings) -> Org:
    """The standard test org in the jobs' database."""
    return make_org(get_engine(job_settings))
