"""Tables of the L&D console: sign-in sessions, used links, team budgets, talent opt-outs, admin actions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary
from sqlmodel import Column, Field, SQLModel

from skills.models import utcnow


class ConsoleSession(SQLModel, table=True):
    """A signed-in browser; the cookie holds a random token, the table only its hash (replicas share it)."""

    __tablename__ = "console_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(foreign_key="employee.user_id", max_length=40, index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


class ConsoleLinkUse(SQLModel, table=True):
    """A one-time sign-in link that was used; a second use finds its row and is refused."""

    __tablename__ = "console_link_use"

    link_id: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(max_length=40)
    used_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class ConsoleUpload(SQLModel, table=True):
    """An uploaded file waiting for its dry-run to be applied (kept in the database so any replica can apply it)."""

    __tablename__ = "console_upload"

    id: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(max_length=40)
    kind: str = Field(max_length=20)  # catalogue or org
    filename: str = Field(max_length=200)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    replace: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class TeamBudget(SQLModel, table=True):
    """A team's learning budget, against which the console shows the cost of approved enrolments."""

    __tablename__ = "team_budget"

    team: str = Field(primary_key=True, max_length=200)
    amount: float
    updated_by: str | None = Field(default=None, max_length=40)
    updated_at: datetime = Field(default_factory=utcnow)


class TalentOptOut(SQLModel, table=True):
    """Someone who asked not to be found by talent search."""

    __tablename__ = "talent_opt_out"

    user_id: str = Field(primary_key=True, foreign_key="employee.user_id", max_length=40)
    at: datetime = Field(default_factory=utcnow)


class AdminAction(SQLModel, table=True):
    """The audit trail of admin actions outside enrolments (loads, budgets, retirements, sign-ins)."""

    __tablename__ = "admin_action"

    id: int | None = Field(default=None, primary_key=True)
    actor_id: str | None = Field(default=None, max_length=40, index=True)
    action: str = Field(max_length=40)
    subject: str = Field(default="", max_length=200)
    detail: str = ""
    at: datetime = Field(default_factory=utcnow, index=True)
