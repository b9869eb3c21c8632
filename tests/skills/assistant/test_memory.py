"""Thread memory: the last turns per (user, channel, thread), on SQLite, PostgreSQL and in process."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from skills.assistant.memory import MAX_TURNS, ConversationKey, DatabaseThreads, InMemoryThreads, ThreadMemory, Turn

DANA_A = ConversationKey("UDANA", "C1", "1700000000.1")


def _check_isolation(memory: ThreadMemory) -> None:
    for i in range(MAX_TURNS + 3):
        memory.append(DANA_A, Turn(f"q{i}", f"a{i}", {"shown": [f"id{i}"]}))
    turns = memory.recent(DANA_A)
    assert [t.user_text for t in turns] == [f"q{i}" for i in range(3, MAX_TURNS + 3)]
    assert turns[-1].state == {"shown": [f"id{MAX_TURNS + 2}"]}
    assert memory.recent(DANA_A, n=2)[0].user_text == f"q{MAX_TURNS + 1}"
    for other in (ConversationKey("UDANA", "C1", "1700000000.2"), ConversationKey("UERIN", "C1", "1700000000.1"),
                  ConversationKey("UDANA", "C2", "1700000000.1"), ConversationKey("UDANA", "C1")):
        assert memory.recent(other) == []


def test_in_process_memory_keeps_threads_and_users_apart() -> None:
    _check_isolation(InMemoryThreads())


def test_database_memory_keeps_threads_and_users_apart(engine: Engine) -> None:
    _check_isolation(DatabaseThreads(engine))
    assert DatabaseThreads(engine).recent(DANA_A)[0].user_text == "q3"  # another replica sees the same thread


@pytest.mark.parametrize("text", ["x" * 5000])
def test_long_texts_are_trimmed(engine: Engine, text: str) -> None:
    memory = DatabaseThreads(engine)
    memory.append(DANA_A, Turn(text, text))
    assert len(memory.recent(DANA_A)[0].user_text) == 2000
