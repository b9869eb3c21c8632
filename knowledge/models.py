"""The catalogue's database tables: the source of truth that the vector index mirrors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

ACTIVE = "active"
RETIRED = "retired"


def utcnow() -> datetime:
    """The current time in UTC (timezone-aware)."""
    return datetime.now(UTC)


class Credential(SQLModel, table=True):
    """One partner micro-credential; retired entries stay for history but leave search."""

    id: str = Field(primary_key=True, max_length=200)
    title: str = Field(max_length=500)
    provider: str = Field(max_length=200, index=True)
    description: str = ""
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    level: str | None = Field(default=None, max_length=20)
    duration_hours: float | None = None
    cost: float | None = None
    currency: str = Field(default="USD", max_length=3)
    format: str | None = Field(default=None, max_length=20)
    url: str | None = None
    language: str | None = None
    credential_type: str | None = None
    badge_image: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

    content_hash: str = Field(max_length=64)
    embed_hash: str = Field(max_length=64)
    source: str = ""
    status: str = Field(default=ACTIVE, max_length=10, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    retired_at: datetime | None = None


class HiddenCredential(SQLModel, table=True):
    """An entry an admin took out of search (it stays in the catalogue and in people's records)."""

    __tablename__ = "hidden_credential"

    credential_id: str = Field(primary_key=True, max_length=200)
    hidden_at: datetime = Field(default_factory=utcnow)
