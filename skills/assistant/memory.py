"""Conversation memory: the last turns per (user, channel, thread); nothing crosses threads or users."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, delete, select

from skills.assistant.models import ConversationTurn

MAX_TURNS = 8  # what a conversation remembers
MAX_TEXT = 2000
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class ConversationKey:
    """Where a message was said: the user, the channel (or DM), and the thread (empty for a DM's main line)."""

    user_id: str
    channel: str = "terminal"
    thread: str = ""

    def token(self) -> str:
        """The stored key; the user is part of it, so two people in one thread never share context."""
        return f"{self.user_id}|{self.channel}|{self.thread}"


@dataclass
class Turn:
    """One exchange: the user's words, the reply's text, and state (shown ids, last query and filters)."""

    user_text: str
    reply_text: str
    state: dict[str, Any] = field(default_factory=dict)


class ThreadMemory(Protocol):
    """Where conversations are remembered."""

    def recent(self, key: ConversationKey, n: int = MAX_TURNS) -> list[Turn]: ...
    def append(self, key: ConversationKey, turn: Turn) -> None: ...


class InMemoryThreads:
    """Process-local memory (one process, tests, the terminal)."""

    def __init__(self) -> None:
        self._turns: dict[str, deque[Turn]] = defaultdict(lambda: deque(maxlen=MAX_TURNS))

    def recent(self, key: ConversationKey, n: int = MAX_TURNS) -> list[Turn]:
        """The last n turns, oldest first."""
        return list(self._turns[key.token()])[-n:]

    def append(self, key: ConversationKey, turn: Turn) -> None:
        """Remember a turn, forgetting the oldest beyond MAX_TURNS."""
        self._turns[key.token()].append(turn)


class DatabaseThreads:
    """Memory in the database, shared by every replica; keeps the last MAX_TURNS per conversation."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        SQLModel.metadata.tables["conversation_turn"].create(engine, checkfirst=True)

    def recent(self, key: ConversationKey, n: int = MAX_TURNS) -> list[Turn]:
        """The last n turns, oldest first."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(ConversationTurn).where(ConversationTurn.conversation == key.token())
                .order_by(col(ConversationTurn.id).desc()).limit(n)
            ).all()
            return [Turn(r.user_text, r.reply_text, dict(r.state)) for r in reversed(rows)]

    def append(self, key: ConversationKey, turn: Turn) -> None:
        """Remember a turn and drop the conversation's turns beyond MAX_TURNS."""
        with Session(self.engine) as session:
            session.add(ConversationTurn(conversation=key.token(), user_id=key.user_id,
                                         user_text=turn.user_text[:MAX_TEXT], reply_text=turn.reply_text[:MAX_TEXT],
                                         state=turn.state))
            session.flush()
            keep = select(ConversationTurn.id).where(ConversationTurn.conversation == key.token()).order_by(
                col(ConversationTurn.id).desc()).limit(MAX_TURNS)
            kept = [i for i in session.exec(keep).all() if i is not None]
            session.exec(delete(ConversationTurn).where(
                col(ConversationTurn.conversation) == key.token(), col(ConversationTurn.id).not_in(kept)))
            session.commit()


def last_state(turns: list[Turn], name: str) -> Any:
    """The newest value of a state entry across the turns (None when never set)."""
    for turn in reversed(turns):
        if name in turn.state:
            return turn.state[name]
    return None
