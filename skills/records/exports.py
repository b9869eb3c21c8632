"""Streaming exports of the learning records (enrolments, badges, skills) as CSV or JSON Lines."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO, Any

from sqlalchemy import Executable, select
from sqlmodel import Session, col

from knowledge.models import Credential
from skills.access import Actor, acting_employee
from skills.cells import inert
from skills.errors import PermissionDenied, ValidationFailed
from skills.models import Badge, Employee, Enrolment, State

KINDS = ("enrolments", "badges", "skills")
FORMATS = ("csv", "jsonl")
CHUNK = 1_000  # rows fetched per round trip (a server-side cursor on PostgreSQL): memory stays flat

ENROLMENT_COLUMNS = (
    "enrolment_id", "employee_id", "employee_name", "email", "team", "manager_id", "credential_id",
    "credential_title", "provider", "state", "percent", "nominated_by", "decided_by", "decided_at", "started_at",
    "completed_on", "earned_at", "due_date", "badge_url", "created_at", "updated_at",
)
BADGE_COLUMNS = (
    "badge_id", "employee_id", "employee_name", "email", "achievement", "issuer", "format", "credential_id",
    "enrolment_id", "skills", "source_url", "verified_at",
)
SKILL_COLUMNS = ("employee_id", "employee_name", "team", "skill", "source", "source_id", "earned_at")


@dataclass(frozen=True)
class Export:
    """An export ready to stream: its columns and a lazy iterator of rows (read while writing)."""

    kind: str
    columns: tuple[str, ...]
    rows: Iterator[dict[str, Any]]


def require_admin(session: Session, actor: Actor, doing: str) -> Employee:
    """The acting admin, or PermissionDenied naming what only an admin may do."""
    employee = acting_employee(session, actor)
    if not employee.is_admin:
        raise PermissionDenied(f"Only an L&D admin may {doing}.")
    return employee


def _stream(session: Session, query: Executable) -> Iterator[Any]:
    result = session.execute(query.execution_options(yield_per=CHUNK, stream_results=True))
    try:
        yield from result
    finally:
        result.close()


def _enrolments(session: Session, since: datetime | None) -> Iterator[dict[str, Any]]:
    query = (select(Enrolment, col(Employee.name), col(Employee.email), col(Employee.team),
                    col(Employee.manager_id), col(Credential.title), col(Credential.provider))
             .join(Employee, col(Employee.user_id) == col(Enrolment.employee_id))
             .join(Credential, col(Credential.id) == col(Enrolment.credential_id))
             .order_by(col(Enrolment.id)))
    if since is not None:
        query = query.where(col(Enrolment.updated_at) >= since)
    for e, name, email, team, manager_id, title, provider in _stream(session, query):
        yield {"enrolment_id": e.id, "employee_id": e.employee_id, "employee_name": name, "email": email,
               "team": team, "manager_id": manager_id, "credential_id": e.credential_id, "credential_title": title,
               "provider": provider, "state": e.state, "percent": e.percent, "nominated_by": e.nominated_by,
               "decided_by": e.decided_by, "decided_at": e.decided_at, "started_at": e.started_at,
               "completed_on": e.completed_on, "earned_at": e.earned_at, "due_date": e.due_date,
               "badge_url": e.badge_url, "created_at": e.created_at, "updated_at": e.updated_at}
        session.expunge(e)  # the identity map would otherwise hold every row read


def _badges(session: Session, since: datetime | None) -> Iterator[dict[str, Any]]:
    query = (select(col(Badge.id), col(Badge.employee_id), col(Employee.name), col(Employee.email),
                    col(Badge.achievement), col(Badge.issuer), col(Badge.format), col(Badge.credential_id),
                    col(Badge.enrolment_id), col(Badge.skills), col(Badge.source_url), col(Badge.verified_at))
             .join(Employee, col(Employee.user_id) == col(Badge.employee_id)).order_by(col(Badge.id)))
    if since is not None:
        query = query.where(col(Badge.verified_at) >= since)
    for row in _stream(session, query):
        yield dict(zip(BADGE_COLUMNS, row, strict=True))


def _skills(session: Session, since: datetime | None) -> Iterator[dict[str, Any]]:
    earned = (select(col(Enrolment.employee_id), col(Employee.name), col(Employee.team), col(Credential.skills),
                     col(Enrolment.credential_id), col(Enrolment.earned_at))
              .join(Employee, col(Employee.user_id) == col(Enrolment.employee_id))
              .join(Credential, col(Credential.id) == col(Enrolment.credential_id))
              .where(col(Enrolment.state) == State.EARNED).order_by(col(Enrolment.id)))
    badges = (select(col(Badge.employee_id), col(Employee.name), col(Employee.team), col(Badge.skills), col(Badge.id),
                     col(Badge.verified_at))
              .join(Employee, col(Employee.user_id) == col(Badge.employee_id)).order_by(col(Badge.id)))
    if since is not None:
        earned = earned.where(col(Enrolment.earned_at) >= since)
        badges = badges.where(col(Badge.verified_at) >= since)
    for source, query in (("credential", earned), ("badge", badges)):
        for employee_id, name, team, skills, source_id, at in _stream(session, query):
            for skill in skills or []:
                yield {"employee_id": employee_id, "employee_name": name, "team": team, "skill": skill,
                       "source": source, "source_id": source_id, "earned_at": at}


def export_records(*, session: Session, actor: Actor, kind: str, since: date | None = None) -> Export:
    """Stream one kind of record (admins only); `since` keeps rows changed or earned on or after that day."""
    require_admin(session, actor, "export learning records")
    if kind not in KINDS:
        raise ValidationFailed(f"There is no export called {kind!r}; choose one of {', '.join(KINDS)}.")
    start = datetime(since.year, since.month, since.day, tzinfo=UTC) if since is not None else None
    if kind == "enrolments":
        return Export(kind, ENROLMENT_COLUMNS, _enrolments(session, start))
    if kind == "badges":
        return Export(kind, BADGE_COLUMNS, _badges(session, start))
    return Export(kind, SKILL_COLUMNS, _skills(session, start))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    text = str(_plain(value))
    return inert(text)


def write_export(export: Export, out: IO[str], fmt: str) -> int:
    """Write the export as CSV (header first) or JSON Lines; the number of rows written."""
    if fmt not in FORMATS:
        raise ValidationFailed(f"Export format must be csv or jsonl, not {fmt!r}.")
    count = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(export.columns)
        for row in export.rows:
            writer.writerow([_cell(row[c]) for c in export.columns])
            count += 1
        return count
    for row in export.rows:
        out.write(json.dumps({c: _plain(row[c]) for c in export.columns}, ensure_ascii=False) + "\n")
        count += 1
    return count
