"""Read-only views returned by the insight skills; the surfaces render them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from knowledge.models import Credential
from skills.models import Enrolment


@dataclass(frozen=True)
class EnrolmentView:
    """One enrolment with its credential's title and provider."""

    enrolment_id: int
    employee_id: str
    credential_id: str
    title: str
    provider: str
    state: str
    percent: int
    due_date: date | None
    completed_on: date | None
    earned_at: datetime | None
    verified: bool
    note: str
    nominated_by: str | None
    nomination_reason: str | None
    milestones: tuple[tuple[str, bool], ...] = ()

    @classmethod
    def of(cls, enrolment: Enrolment, credential: Credential) -> EnrolmentView:
        """Build the view from the rows."""
        assert enrolment.id is not None
        return cls(
            enrolment_id=enrolment.id,
            employee_id=enrolment.employee_id,
            credential_id=credential.id,
            title=credential.title,
            provider=credential.provider,
            state=enrolment.state,
            percent=enrolment.percent,
            due_date=enrolment.due_date,
            completed_on=enrolment.completed_on,
            earned_at=enrolment.earned_at,
            verified=enrolment.badge_verified_at is not None,
            note=enrolment.note,
            nominated_by=enrolment.nominated_by,
            nomination_reason=enrolment.nomination_reason,
            milestones=tuple((str(m["name"]), bool(m["done"])) for m in enrolment.milestones),
        )


@dataclass(frozen=True)
class MyStatus:
    """An employee's enrolments, badges and open nominations."""

    employee_id: str
    name: str
    active: list[EnrolmentView]
    badges: list[EnrolmentView]
    nominations: list[EnrolmentView]


@dataclass(frozen=True)
class MemberStatus:
    """One team member's line on the manager's dashboard."""

    employee_id: str
    name: str
    role: str | None
    active: list[EnrolmentView] = field(default_factory=list)
    badges: int = 0


@dataclass(frozen=True)
class Reminder:
    """An enrolment whose due date is near or past."""

    enrolment_id: int
    employee_id: str
    credential_id: str
    title: str
    due_date: date
    percent: int
    overdue: bool


@dataclass(frozen=True)
class Suggestion:
    """A catalogue entry that teaches a missing skill."""

    credential_id: str
    title: str
    provider: str
    score: float


@dataclass(frozen=True)
class Gap:
    """A skill the role needs that no earned badge covers, with catalogue suggestions."""

    skill: str
    suggestions: list[Suggestion] = field(default_factory=list)


@dataclass(frozen=True)
class SkillGaps:
    """An employee's role skills, those covered by earned badges, and the gaps."""

    employee_id: str
    name: str
    role: str | None
    role_known: bool
    required: list[str]
    covered: list[str]
    gaps: list[Gap]


@dataclass(frozen=True)
class TeamGap:
    """A skill missing for several people on a team."""

    skill: str
    count: int
    people: list[str]
    suggestions: list[Suggestion] = field(default_factory=list)


@dataclass(frozen=True)
class Holder:
    """Someone who earned a credential (that teaches the skill searched for)."""

    employee_id: str
    name: str
    team: str | None
    role: str | None
    credential_id: str
    title: str
    earned_at: datetime | None
    verified: bool
