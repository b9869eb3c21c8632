"""The weekly manager digest: each direct report's learning, and the team's top skill gaps."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from knowledge.models import Credential
from skills.access import Actor
from skills.bulk import insert_notices, notice_row
from skills.gaps import Finder, team_gaps
from skills.models import Employee, Enrolment, State
from skills.notices import Kind

TOP_GAPS = 5
_LEARNING = (State.APPROVED.value, State.IN_PROGRESS.value)


def iso_week(now: datetime) -> str:
    """The ISO week of `now` as given (pass it in the organisation's timezone), e.g. "2026-W48"."""
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def _courses(rows: list[tuple[str, int, date | None]]) -> list[dict[str, Any]]:
    ordered = sorted(rows, key=lambda r: (r[2] is None, r[2] or date.min, r[0].lower()))
    return [{"title": t, "percent": p, "due_date": d.isoformat() if d else None} for t, p, d in ordered]


def _people(session: Session, now: datetime) -> dict[str, list[dict[str, Any]]]:
    """Every direct report's line, grouped by manager id."""
    reports = session.connection().execute(
        select(col(Employee.user_id), col(Employee.name), col(Employee.manager_id))
        .where(col(Employee.manager_id).is_not(None))
        .order_by(col(Employee.name), col(Employee.user_id))
    ).all()
    rows = session.connection().execute(
        select(col(Enrolment.employee_id), col(Enrolment.state), col(Enrolment.percent), col(Enrolment.due_date),
               col(Enrolment.earned_at), col(Credential.title))
        .join(Credential, col(Enrolment.credential_id) == col(Credential.id))
        .join(Employee, col(Enrolment.employee_id) == col(Employee.user_id))
        .where(col(Employee.manager_id).is_not(None), col(Enrolment.state).in_([*_LEARNING, State.EARNED.value]))
    ).all()
    learning: dict[str, list[tuple[str, int, date | None]]] = defaultdict(list)
    earned: dict[str, int] = defaultdict(int)
    recent: dict[str, int] = defaultdict(int)
    week_ago = now - timedelta(days=7)
    for employee_id, state, percent, due, earned_at, title in rows:
        if state == State.EARNED:
            earned[employee_id] += 1
            recent[employee_id] += int(earned_at is not None and week_ago < earned_at <= now)
        else:
            learning[employee_id].append((title, percent, due))
    teams: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for user_id, name, manager_id in reports:
        teams[str(manager_id)].append({
            "user_id": user_id,
            "name": name,
            "in_progress": len(learning[user_id]),
            "earned_this_week": recent[user_id],
            "earned": earned[user_id],
            "courses": _courses(learning[user_id]),
        })
    return teams


def team_digests(*, session: Session, now: datetime, finder: Finder | None = None) -> list[dict[str, Any]]:
    """A digest per manager with reports ("earned this week": the 7 days to `now`; a finder adds suggestions)."""
    teams = _people(session, now)
    managers = session.connection().execute(
        select(col(Employee.user_id), col(Employee.name))
        .where(col(Employee.user_id).in_(list(teams)))
        .order_by(col(Employee.user_id))
    ).all()
    digests = []
    for manager_id, manager_name in managers:
        gaps = team_gaps(session=session, actor=Actor(manager_id), finder=finder, per_gap=1 if finder else 0,
                         top=TOP_GAPS)
        top_gaps: list[dict[str, Any]] = []
        for gap in gaps:
            entry: dict[str, Any] = {"skill": gap.skill, "count": gap.count}
            if finder is not None:
                entry["suggestions"] = [{"id": s.credential_id, "title": s.title} for s in gap.suggestions]
            top_gaps.append(entry)
        digests.append({
            "manager_id": manager_id,
            "manager_name": manager_name,
            "week": iso_week(now),
            "people": teams[manager_id],
            "top_gaps": top_gaps,
        })
    return digests


def digest_key(manager_id: str, week: str) -> str:
    """The idempotency key: one digest per manager per ISO week."""
    return f"{Kind.DIGEST}:{manager_id}:{week}"


def queue_digests(*, session: Session, now: datetime) -> int:
    """Queue this week's digest for every manager who has not had it yet; how many were queued."""
    rows = [
        notice_row(kind=Kind.DIGEST, recipient_id=d["manager_id"], payload=d,
                   idempotency_key=digest_key(d["manager_id"], d["week"]))
        for d in team_digests(session=session, now=now)
    ]
    return len(insert_notices(session, rows))
