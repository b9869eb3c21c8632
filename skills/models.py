"""The learning records: people, role skill profiles, enrolments, their audit trail and the outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, UniqueConstraint, text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The current time in UTC (timezone-aware)."""
    return datetime.now(UTC)


class State(StrEnum):
    """Where an enrolment is in its lifecycle."""

    NOMINATED = "nominated"
    REQUESTED = "requested"
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    EARNED = "earned"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


# At most one enrolment per (employee, credential) may be in these states; the database enforces it.
ACTIVE_STATES = (State.NOMINATED, State.REQUESTED, State.APPROVED, State.IN_PROGRESS, State.COMPLETED)
# Optimistic locking: every UPDATE checks and bumps the version, so two racing transitions cannot both win,
# even on SQLite where SELECT ... FOR UPDATE does not exist.
_VERSION = Column("version", Integer, nullable=False, default=1)
_ACTIVE_SQL = text("state IN (" + ", ".join(f"'{s.value}'" for s in ACTIVE_STATES) + ")")


class Employee(SQLModel, table=True):
    """A person in the organisation, keyed by their Slack user id."""

    user_id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320)
    role: str | None = Field(default=None, max_length=200)
    team: str | None = Field(default=None, max_length=200, index=True)
    manager_id: str | None = Field(default=None, foreign_key="employee.user_id", max_length=40, index=True)
    timezone: str = Field(default="UTC", max_length=64)
    is_admin: bool = False
    shoutout_opt_out: bool = False
    timezone_synced_at: datetime | None = None  # when `timezone` was last read from the Slack profile
    language: str | None = Field(default=None, max_length=10)  # ISO 639-1; None: BADGER_DEFAULT_LANGUAGE
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class RoleSkill(SQLModel, table=True):
    """One skill a role needs; `role_key` and `skill_key` are normalised for matching."""

    role_key: str = Field(primary_key=True, max_length=200)
    skill_key: str = Field(primary_key=True, max_length=200)
    role: str = Field(max_length=200)
    skill: str = Field(max_length=200)
    source: str = Field(default="", max_length=200)
    position: int = 0  # order within the role's profile, most important first


class Enrolment(SQLModel, table=True):
    """One employee's journey through one credential, from nomination or request to an earned badge."""

    __table_args__ = (
        Index(
            "uq_enrolment_active",
            "employee_id",
            "credential_id",
            unique=True,
            sqlite_where=_ACTIVE_SQL,
            postgresql_where=_ACTIVE_SQL,
        ),
        Index("ix_enrolment_state_due", "state", "due_date"),
    )
    __mapper_args__ = {"version_id_col": _VERSION}

    id: int | None = Field(default=None, primary_key=True)
    employee_id: str = Field(foreign_key="employee.user_id", max_length=40, index=True)
    credential_id: str = Field(foreign_key="credential.id", max_length=200, index=True)
    state: str = Field(max_length=20)
    nominated_by: str | None = Field(default=None, foreign_key="employee.user_id", max_length=40)
    nomination_reason: str | None = None
    decided_by: str | None = Field(default=None, foreign_key="employee.user_id", max_length=40)
    decision_reason: str | None = None
    decided_at: datetime | None = None
    percent: int = 0
    milestones: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    note: str = ""
    due_date: date | None = None
    started_at: datetime | None = None
    completed_on: date | None = None
    earned_at: datetime | None = None
    badge_url: str | None = None
    badge_verified_at: datetime | None = None
    last_reminded_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column=_VERSION)


class EnrolmentEvent(SQLModel, table=True):
    """The audit trail: who moved an enrolment, from which state to which, when and why."""

    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="enrolment.id", index=True)
    actor_id: str | None = Field(default=None, foreign_key="employee.user_id", max_length=40)
    action: str = Field(max_length=40)
    from_state: str | None = Field(default=None, max_length=20)
    to_state: str = Field(max_length=20)
    reason: str | None = None
    at: datetime = Field(default_factory=utcnow, index=True)  # the console's audit trail reads newest first


class NoticeStatus(StrEnum):
    """Delivery state of an outbox row."""

    PENDING = "pending"
    SENDING = "sending"  # claimed by a deliverer; after a crash the next one checks Slack before posting again
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"  # a manager held it (shoutouts); released back to pending or left unsent


class Notice(SQLModel, table=True):
    """An outbox row: a message the bot must send, written in the same transaction as the change."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    recipient_id: str = Field(max_length=40, index=True)  # a Slack user id, or a channel id for shoutouts
    enrolment_id: int | None = Field(default=None, foreign_key="enrolment.id", index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    idempotency_key: str = Field(max_length=200, unique=True)
    status: str = Field(default=NoticeStatus.PENDING.value, max_length=10, index=True)
    attempts: int = 0
    last_error: str | None = None
    message_ts: str | None = Field(default=None, max_length=40)
    channel_id: str | None = Field(default=None, max_length=40)  # where it was (or is being) posted
    next_attempt_at: datetime | None = None  # back-off after a failure (Retry-After or exponential)
    claimed_at: datetime | None = None  # when a deliverer took it (status "sending")
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class Badge(SQLModel, table=True):
    """An earned badge that Badger verified (Open Badges 2.0 or 3.0); one row per employee and credential."""

    __table_args__ = (UniqueConstraint("employee_id", "fingerprint", name="uq_badge_employee_fingerprint"),)

    id: int | None = Field(default=None, primary_key=True)
    employee_id: str = Field(foreign_key="employee.user_id", max_length=40, index=True)
    fingerprint: str = Field(max_length=64)  # sha256 of the credential's id (or of its JSON when it has none)
    format: str = Field(max_length=20)  # ob2-hosted, ob2-signed, ob3-jwt, ob3-di
    credential_uid: str | None = None  # the assertion's or the VC's own id
    achievement: str = Field(max_length=500)
    achievement_id: str | None = None
    issuer: str = Field(max_length=500)
    issuer_id: str | None = None
    credential_id: str | None = Field(default=None, foreign_key="credential.id", max_length=200, index=True)
    enrolment_id: int | None = Field(default=None, foreign_key="enrolment.id")
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    source_url: str | None = None
    document: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    verified_at: datetime = Field(default_factory=utcnow)
    created_at: datetime = Field(default_factory=utcnow)


class ReceivedEvent(SQLModel, table=True):
    """An inbound event id seen once: retries and other replicas skip it."""

    __tablename__ = "received_event"

    event_id: str = Field(primary_key=True, max_length=100)
    received_at: datetime = Field(default_factory=utcnow, index=True)


class AnswerFeedback(SQLModel, table=True):
    """A user's verdict on one answer (helpful or not); one row per answer and user, the latest vote wins."""

    __tablename__ = "answer_feedback"
    __table_args__ = (UniqueConstraint("answer_ref", "user_id", name="uq_answer_feedback_answer_user"),)

    id: int | None = Field(default=None, primary_key=True)
    answer_ref: str = Field(max_length=120)  # "channel:ts" of the answer message
    user_id: str = Field(max_length=40, index=True)
    helpful: bool
    intent: str = Field(default="", max_length=40)
    citations: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    # Slack's action_ts of the press, in microseconds: presses stored out of order keep the newest vote.
    action_ts_us: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))


class TeamSetting(SQLModel, table=True):
    """Per-team settings: where the team's shoutouts go (otherwise BADGER_SHOUTOUT_CHANNEL)."""

    __tablename__ = "team_setting"

    team: str = Field(primary_key=True, max_length=200)
    shoutout_channel: str | None = Field(default=None, max_length=80)
    updated_at: datetime = Field(default_factory=utcnow)


class SchedulerLock(SQLModel, table=True):
    """A named lease: the replica holding it runs the scheduler until it expires unrenewed."""

    __tablename__ = "scheduler_lock"

    name: str = Field(primary_key=True, max_length=80)
    holder: str = Field(max_length=200)
    expires_at: datetime
