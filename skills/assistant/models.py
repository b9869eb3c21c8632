"""The conversation table: the last turns of each (user, channel, thread), so follow-ups resolve."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from skills.models import utcnow


class ConversationTurn(SQLModel, table=True):
    """One exchange in a conversation: what was asked, what was answered, and what was shown."""

    __tablename__ = "conversation_turn"

    id: int | None = Field(default=None, primary_key=True)
    conversation: str = Field(max_length=300, index=True)  # "user|channel|thread": never shared across users
    user_id: str = Field(max_length=40)
    user_text: str = ""
    reply_text: str = ""
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)
