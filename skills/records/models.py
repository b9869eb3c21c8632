"""Data-rights requests and their audit: who asked for an export or an erasure, and who carried it out."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from skills.models import utcnow


class RightsRequest(SQLModel, table=True):
    """A person's request (export or erase) and its outcome; after an erasure only a tombstone is left.

    The tombstone of an erasure keeps when and by whom (`decided_by`, `decided_at`), never whose data it was.
    """

    __tablename__ = "rights_request"

    id: int | None = Field(default=None, primary_key=True)
    action: str = Field(max_length=10)  # "export" or "erase"
    subject_id: str | None = Field(default=None, max_length=40, index=True)  # None once erased
    requested_by: str | None = Field(default=None, max_length=40)
    status: str = Field(default="requested", max_length=10, index=True)  # requested, done, declined
    decided_by: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None
