"""The retention job: old conversation turns, event ids and delivered notices go, in batches, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from core.db import get_engine
from core.settings import get_settings
from jobs.registry import JOBS
from skills.assistant.models import ConversationTurn
from skills.models import Notice, ReceivedEvent
from tests.skills.factories import Org

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def seed(org: Org) -> None:
    """Five old and one recent turn; old and new event ids; notices sent long ago, pending, and xAPI rows."""
    old, recent = NOW - timedelta(days=100), NOW - timedelta(days=1)
    with Session(org.engine) as session:
        for i in range(5):
            session.add(ConversationTurn(conversation=f"UDANA|D|{i}", user_id="UDANA", user_text="old", created_at=old))
        session.add(ConversationTurn(conversation="UDANA|D|x", user_id="UDANA", user_text="new", created_at=recent))
        session.add(ReceivedEvent(event_id="Ev-old", received_at=NOW - timedelta(days=3)))
        session.add(ReceivedEvent(event_id="Ev-new", received_at=NOW - timedelta(hours=1)))
        for key, kind, status, at in (("sent-old", "reminder", "sent", NOW - timedelta(days=200)),
                                      ("failed-old", "reminder", "failed", NOW - timedelta(days=200)),
                                      ("pending-old", "reminder", "pending", NOW - timedelta(days=200)),
                                      ("sent-new", "reminder", "sent", recent),
                                      ("xapi:1", "xapi", "sent", NOW - timedelta(days=200))):
            session.add(Notice(kind=kind, recipient_id="UDANA", idempotency_key=key, status=status, created_at=at))
        session.commit()


def test_retention_job_purges_in_batches_and_is_idempotent(job_org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BADGER_RETENTION_BATCH", "2")
    get_settings.cache_clear()
    seed(job_org)
    run = JOBS["retention"].function()
    assert run(now=NOW) == {"conversation_turns": 5, "received_events": 1, "notices": 2,
                             "scrubbed": 0}
    assert run(now=NOW) == {"conversation_turns": 0, "received_events": 0, "notices": 0, "scrubbed": 0}
    with Session(get_engine()) as session:
        assert [t.user_text for t in session.exec(select(ConversationTurn))] == ["new"]
        assert [e.event_id for e in session.exec(select(ReceivedEvent))] == ["Ev-new"]
        assert sorted(n.idempotency_key for n in session.exec(select(Notice))) == ["pending-old", "sent-new", "xapi:1"]


def test_zero_days_keeps_forever(job_org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CONVERSATIONS", "EVENTS", "NOTICES"):
        monkeypatch.setenv(f"BADGER_RETENTION_DAYS_{name}", "0")
    get_settings.cache_clear()
    seed(job_org)
    assert JOBS["retention"].function()(now=NOW) == {"conversation_turns": 0, "received_events": 0, "notices": 0,
                                                     "scrubbed": 0}
