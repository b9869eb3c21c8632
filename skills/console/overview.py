"""The console's overview: the enrolment funnel, badges per month, top credentials and providers, spend."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import case, func
from sqlalchemy import select as select_many
from sqlmodel import Session, col, select

from core.errors import NotFoundError
from knowledge.models import Credential
from skills.console.access import Scope, require_admin
from skills.console.models import AdminAction, TeamBudget
from skills.console.tables import Table, month
from skills.errors import ValidationFailed
from skills.models import Employee, Enrolment, EnrolmentEvent, State, utcnow

FUNNEL = (State.NOMINATED, State.REQUESTED, State.APPROVED, State.IN_PROGRESS, State.COMPLETED, State.EARNED)
SPENDING = (State.APPROVED, State.IN_PROGRESS, State.COMPLETED, State.EARNED)
TOP = 10


def funnel(session: Session, scope: Scope) -> Table:
    """Enrolments reaching each stage, by month of the transition."""
    when = month(session, EnrolmentEvent.at)
    query = (
        select(when, EnrolmentEvent.to_state, func.count())
        .where(col(EnrolmentEvent.to_state).in_(FUNNEL))
        .group_by(when, EnrolmentEvent.to_state)
    )
    if not scope.is_admin:  # admins count everything: no join
        query = query.join(Enrolment, col(Enrolment.id) == col(EnrolmentEvent.enrolment_id)).where(
            scope.covers(col(Enrolment.employee_id)))
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for at, state, count in session.exec(query):
        counts[at][state] = count
    rows = [(m, *(counts[m].get(s, 0) for s in FUNNEL)) for m in sorted(counts, reverse=True)]
    return Table("funnel", "Enrolment funnel by month", ["Month", *(s.value.replace("_", " ") for s in FUNNEL)], rows)


def badges_by_month(session: Session, scope: Scope) -> Table:
    """Badges earned per month: verified by Badger, or confirmed by the learner or a manager."""
    when = month(session, Enrolment.earned_at)
    verified = func.sum(case((col(Enrolment.badge_verified_at).is_not(None), 1), else_=0))
    query = (
        select(when, verified, func.count())
        .where(Enrolment.state == State.EARNED, col(Enrolment.earned_at).is_not(None),
               scope.covers(col(Enrolment.employee_id)))
        .group_by(when).order_by(when.desc())
    )
    rows = [(m, int(v or 0), total - int(v or 0), total) for m, v, total in session.exec(query)]
    return Table("badges", "Badges earned per month", ["Month", "Verified", "Confirmed", "Total"], rows)


def top_credentials(session: Session, scope: Scope) -> Table:
    """The credentials most enrolled in, with how many were earned."""
    earned = func.sum(case((col(Enrolment.state) == State.EARNED, 1), else_=0))
    query = (
        select_many(col(Credential.id), col(Credential.title), col(Credential.provider), func.count(), earned)
        .join(Enrolment, col(Enrolment.credential_id) == col(Credential.id))
        .where(scope.covers(col(Enrolment.employee_id)))
        .group_by(col(Credential.id), col(Credential.title), col(Credential.provider))
        .order_by(func.count().desc(), col(Credential.id)).limit(TOP)
    )
    return Table("top-credentials", "Top credentials", ["Id", "Credential", "Provider", "Enrolments", "Earned"],
                 [tuple(r) for r in session.execute(query)])


def top_providers(session: Session, scope: Scope) -> Table:
    """The providers most enrolled with."""
    earned = func.sum(case((col(Enrolment.state) == State.EARNED, 1), else_=0))
    query = (
        select(Credential.provider, func.count(), earned)
        .join(Enrolment, col(Enrolment.credential_id) == col(Credential.id))
        .where(scope.covers(col(Enrolment.employee_id)))
        .group_by(col(Credential.provider)).order_by(func.count().desc(), col(Credential.provider)).limit(TOP)
    )
    return Table("top-providers", "Top providers", ["Provider", "Enrolments", "Earned"],
                 [tuple(r) for r in session.exec(query)])


def spend(session: Session, scope: Scope) -> Table:
    """Cost of approved (and later) enrolments per team, against the team's budget."""
    query = (
        select(Employee.team, func.count(), func.coalesce(func.sum(Credential.cost), 0.0))
        .join(Enrolment, col(Enrolment.employee_id) == col(Employee.user_id))
        .join(Credential, col(Enrolment.credential_id) == col(Credential.id))
        .where(col(Enrolment.state).in_(SPENDING), scope.covers(col(Employee.user_id)))
        .group_by(col(Employee.team))
    )
    spent = {team or "(no team)": (count, float(cost or 0)) for team, count, cost in session.exec(query)}
    budgets = {b.team: b.amount for b in session.exec(select(TeamBudget))}
    teams = sorted(set(spent) | (set(budgets) if scope.is_admin else set(budgets) & set(spent)))
    rows = []
    for team in teams:
        count, cost = spent.get(team, (0, 0.0))
        budget = budgets.get(team)
        left = None if budget is None else budget - cost
        used = None if not budget else round(100 * cost / budget, 1)
        rows.append((team, count, round(cost, 2), budget, left, used))
    return Table("spend", "Spend against budget", ["Team", "Approved enrolments", "Spend", "Budget", "Left", "% used"],
                 rows)


def set_team_budget(*, session: Session, scope: Scope, team: str, amount: float) -> TeamBudget:
    """An admin sets a team's learning budget (the team must be in the org chart)."""
    require_admin(scope)
    if not amount >= 0 or amount > 1e12:
        raise ValidationFailed(f"A budget is an amount of 0 or more, not {amount!r}.")
    known = session.exec(select(Employee.team).where(Employee.team == team).limit(1)).first()
    if known is None:
        raise NotFoundError(f"No one in Badger is on a team called {team!r}.")
    budget = session.get(TeamBudget, team) or TeamBudget(team=team, amount=amount)
    budget.amount, budget.updated_by, budget.updated_at = amount, scope.user_id, utcnow()
    session.add(budget)
    session.add(AdminAction(actor_id=scope.user_id, action="budget.set", subject=team, detail=f"{amount:g}"))
    session.flush()
    return budget
