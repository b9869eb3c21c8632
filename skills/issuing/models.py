"""Credentials Badger issued: one row per earned enrolment (the unique constraint makes issuing exactly-once)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from skills.models import utcnow

STATUS_LIST_SIZE = 131_072  # bits per status list: 16 KB, the minimum the Bitstring Status List spec asks for


class IssuedCredential(SQLModel, table=True):
    """An OpenBadgeCredential Badger signed; `seq` places it in a status list, `uid` names it publicly."""

    __tablename__ = "issued_credential"
    __table_args__ = (
        UniqueConstraint("enrolment_id", name="uq_issued_credential_enrolment"),
        UniqueConstraint("uid", name="uq_issued_credential_uid"),
    )

    seq: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=64)
    enrolment_id: int = Field(foreign_key="enrolment.id")
    employee_id: str = Field(foreign_key="employee.user_id", max_length=40, index=True)
    credential_id: str = Field(foreign_key="credential.id", max_length=200, index=True)
    achievement: str = Field(max_length=500)
    proof_format: str = Field(max_length=20)  # eddsa-rdfc-2022 or vc-jwt
    document: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    token: str | None = None  # the VC-JWT, when that is the proof format
    issued_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    revoked_by: str | None = Field(default=None, max_length=40)
    revocation_reason: str | None = None

    @property
    def status_list(self) -> int:
        """Which status list holds this credential's bit (lists are numbered from 1)."""
        assert self.seq is not None
        return (self.seq - 1) // STATUS_LIST_SIZE + 1

    @property
    def status_index(self) -> int:
        """The bit's index in its list."""
        assert self.seq is not None
        return (self.seq - 1) % STATUS_LIST_SIZE
