"""Plain-row reads for the reminder sweep: no ORM objects, SQLite's text timestamps parsed in one step."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import String, and_, or_, select, type_coerce
from sqlmodel import Session, col

from knowledge.models import Credential
from skills.models import Employee, Enrolment, State

WORKING = (State.APPROVED.value, State.IN_PROGRESS.value)
_CHUNK = 5_000


class Candidate(NamedTuple):
    """An active enrolment that may owe a reminder."""

    id: int
    employee_id: str
    credential_id: str
    state: str
    percent: int
    due_date: date | None
    updated_at: datetime
    last_reminded_at: datetime | None


class Person(NamedTuple):
    """What the sweep needs to know about someone: name, timezone, manager, admin."""

    name: str
    timezone: str | None
    manager_id: str | None
    is_admin: bool


def _instant(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite keeps UTC as text: one C-level parse instead of a type processor chain
        return datetime.fromisoformat(value + "+00:00")
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _raw(column: Any) -> Any:
    return type_coerce(column, String)  # hand the driver's value through unconverted; see _instant


def candidates(session: Session, *, now: datetime, stalled_days: int, due_soon_days: int, nomination_days: int,
               approval_days: int) -> list[Candidate]:
    """Enrolments that may owe a reminder now (a superset: local dates differ from UTC ones by a day at most)."""
    e = Enrolment

    def quiet(days: int) -> Any:
        return col(e.updated_at) < now - timedelta(days=max(days - 1, 0))

    horizon = now.date() + timedelta(days=due_soon_days + 1)
    query = select(
        col(e.id), col(e.employee_id), col(e.credential_id), col(e.state), col(e.percent), _raw(col(e.due_date)),
        _raw(col(e.updated_at)), _raw(col(e.last_reminded_at)),
    ).where(
        or_(
            and_(col(e.state).in_(WORKING), or_(quiet(stalled_days), col(e.due_date) <= horizon)),
            and_(col(e.state) == State.NOMINATED.value, quiet(nomination_days)),
            and_(col(e.state) == State.REQUESTED.value, quiet(approval_days)),
        )
    )
    return [
        Candidate(i, employee, credential, state, percent, date.fromisoformat(due) if isinstance(due, str) else due,
                  _instant(updated), None if last is None else _instant(last))
        for i, employee, credential, state, percent, due, updated, last in session.connection().execute(query).all()
    ]


def people(session: Session) -> dict[str, Person]:
    """Everyone by Slack user id (one read; cheaper than joining twice per enrolment)."""
    rows = session.connection().execute(
        select(col(Employee.user_id), col(Employee.name), col(Employee.timezone), col(Employee.manager_id),
               col(Employee.is_admin))
    ).all()
    return {user_id: Person(name, tz, manager, bool(admin)) for user_id, name, tz, manager, admin in rows}


def credentials(session: Session, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """(title, provider) of the given credentials."""
    wanted = sorted(set(ids))
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(wanted), _CHUNK):
        rows = session.connection().execute(
            select(col(Credential.id), col(Credential.title), col(Credential.provider))
            .where(col(Credential.id).in_(wanted[start : start + _CHUNK]))
        )
        found.update((credential_id, (title, provider)) for credential_id, title, provider in rows)
    return found
