"""Insight: skill gaps against the role's profile, a team's shared gaps, and talent search."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

from sqlmodel import Session, col, select

from knowledge.models import Credential
from knowledge.schema import Described
from skills.access import Actor, acting_employee, get_employee, manages_or_admin
from skills.console.models import TalentOptOut
from skills.errors import PermissionDenied, ValidationFailed
from skills.models import ACTIVE_STATES, Badge, Employee, Enrolment, RoleSkill, State
from skills.normalise import normalise_role, normalise_skill
from skills.views import Gap, Holder, SkillGaps, Suggestion, TeamGap


class FoundHit(Described, Protocol):
    """What skills read from one catalogue search hit."""

    @property
    def score(self) -> float: ...


class FoundResult(Protocol):
    """A catalogue search result: its hits, best first."""

    @property
    def hits(self) -> Sequence[FoundHit]: ...


class Finder(Protocol):
    """The catalogue search skills need; `knowledge.search`'s searcher satisfies it."""

    def search(self, query: str, *, k: int = 10) -> FoundResult: ...


def _profiles(session: Session, roles: set[str]) -> dict[str, list[RoleSkill]]:
    rows = session.exec(
        select(RoleSkill).where(col(RoleSkill.role_key).in_(roles)).order_by(col(RoleSkill.position))
    ).all()
    profiles: dict[str, list[RoleSkill]] = defaultdict(list)
    for row in rows:
        profiles[row.role_key].append(row)
    return profiles


def _earned_skills(session: Session, employee_ids: list[str]) -> dict[str, set[str]]:
    rows = session.exec(
        select(Enrolment.employee_id, Credential.skills)
        .join(Credential, col(Enrolment.credential_id) == col(Credential.id))
        .where(col(Enrolment.employee_id).in_(employee_ids), Enrolment.state == State.EARNED)
    ).all()
    held: dict[str, set[str]] = defaultdict(set)
    for employee_id, skills in rows:
        held[employee_id].update(normalise_skill(s) for s in skills)
    # A verified badge adds its own skills too, also when it matches no catalogue credential.
    badges = session.exec(select(Badge.employee_id, Badge.skills).where(col(Badge.employee_id).in_(employee_ids)))
    for employee_id, skills in badges.all():
        held[employee_id].update(normalise_skill(s) for s in skills)
    return held


def _suggest(finder: Finder | None, skill: str, exclude: set[str], k: int) -> list[Suggestion]:
    if finder is None or k <= 0:
        return []
    result = finder.search(skill, k=k + len(exclude))
    hits = [h for h in result.hits if h.id not in exclude][:k]
    return [Suggestion(h.id, h.title, h.provider, float(h.score)) for h in hits]


def skill_gaps(
    *,
    session: Session,
    actor: Actor,
    employee_id: str | None = None,
    finder: Finder | None = None,
    per_gap: int = 3,
) -> SkillGaps:
    """The role's skills minus those from earned badges, each gap with catalogue suggestions."""
    me = acting_employee(session, actor)
    employee = me if employee_id in (None, me.user_id) else get_employee(session, employee_id or "")
    if employee is not me and not manages_or_admin(me, employee):
        raise PermissionDenied(
            f"Only {employee.name}, their manager or an L&D admin can see their skill gaps."
        )
    role_key = normalise_role(employee.role or "")
    profile = _profiles(session, {role_key}).get(role_key, [])
    held = _earned_skills(session, [employee.user_id]).get(employee.user_id, set())
    taken = set(
        session.exec(
            select(Enrolment.credential_id).where(
                Enrolment.employee_id == employee.user_id,
                col(Enrolment.state).in_([*ACTIVE_STATES, State.EARNED]),
            )
        ).all()
    )
    return SkillGaps(
        employee_id=employee.user_id,
        name=employee.name,
        role=employee.role,
        role_known=bool(profile),
        required=[r.skill for r in profile],
        covered=[r.skill for r in profile if r.skill_key in held],
        gaps=[
            Gap(r.skill, _suggest(finder, r.skill, taken, per_gap))
            for r in profile
            if r.skill_key not in held
        ],
    )


def team_gaps(
    *,
    session: Session,
    actor: Actor,
    manager_id: str | None = None,
    finder: Finder | None = None,
    per_gap: int = 3,
    top: int = 10,
) -> list[TeamGap]:
    """The skills missing across a manager's direct reports, most shared first (admins: any team)."""
    me = acting_employee(session, actor)
    manager = me if manager_id is None else get_employee(session, manager_id)
    if manager.user_id != me.user_id and not me.is_admin:
        raise PermissionDenied(f"Only {manager.name} or an L&D admin can see that team's skill gaps.")
    members = session.exec(select(Employee).where(Employee.manager_id == manager.user_id)).all()
    profiles = _profiles(session, {normalise_role(m.role or "") for m in members})
    held = _earned_skills(session, [m.user_id for m in members])
    people: dict[str, list[str]] = defaultdict(list)
    display: dict[str, str] = {}
    for member in members:
        for row in profiles.get(normalise_role(member.role or ""), []):
            if row.skill_key not in held.get(member.user_id, set()):
                people[row.skill_key].append(member.name)
                display.setdefault(row.skill_key, row.skill)
    ranked = sorted(people, key=lambda key: (-len(people[key]), display[key].lower()))[:top]
    return [
        TeamGap(
            display[key],
            len(people[key]),
            sorted(people[key]),
            _suggest(finder, display[key], set(), per_gap),
        )
        for key in ranked
    ]


def talent_search(
    *,
    session: Session,
    actor: Actor,
    skill: str | None = None,
    credential_id: str | None = None,
    verified_only: bool = False,
    limit: int = 50,
) -> list[Holder]:
    """Who earned a credential, or one teaching a skill: for managers and admins staffing a project."""
    me = acting_employee(session, actor)
    has_reports = session.exec(
        select(Employee.user_id).where(Employee.manager_id == me.user_id).limit(1)
    ).first()
    if not me.is_admin and has_reports is None:
        raise PermissionDenied("Talent search is for managers and L&D admins.")
    if (skill is None) == (credential_id is None):
        raise ValidationFailed("Search by a skill or by a credential (one of the two).")
    query = (
        select(Enrolment, Credential, Employee)
        .join(Credential, col(Enrolment.credential_id) == col(Credential.id))
        .join(Employee, col(Enrolment.employee_id) == col(Employee.user_id))
        .where(Enrolment.state == State.EARNED)
    )
    if credential_id is not None:
        query = query.where(Enrolment.credential_id == credential_id)
    if verified_only:
        query = query.where(col(Enrolment.badge_verified_at).is_not(None))
    wanted = normalise_skill(skill) if skill is not None else None
    badge_skills: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    for badge in session.exec(select(Badge)).all():
        badge_skills[(badge.employee_id, badge.credential_id)].update(normalise_skill(s) for s in badge.skills)
    hidden = set(session.exec(select(TalentOptOut.user_id)).all())  # people who asked not to be found
    holders = []
    for enrolment, credential, employee in session.exec(
        query.order_by(col(Employee.name), col(Enrolment.id))
    ):
        if employee.user_id in hidden:
            continue
        taught = {normalise_skill(s) for s in credential.skills} | badge_skills[(employee.user_id, credential.id)]
        if wanted is not None and wanted not in taught:
            continue
        holders.append(
            Holder(
                employee.user_id,
                employee.name,
                employee.team,
                employee.role,
                credential.id,
                credential.title,
                enrolment.earned_at,
                enrolment.badge_verified_at is not None,
            )
        )
        if len(holders) >= limit:
            break
    if wanted is not None and len(holders) < limit:
        holders.extend(h for h in _badge_only_holders(session, wanted, limit - len(holders) + len(hidden))
                       if h.employee_id not in hidden)
        del holders[limit:]
    return holders


def _badge_only_holders(session: Session, wanted: str, limit: int) -> list[Holder]:
    """Verified badges that match no catalogue credential but teach the skill."""
    rows = session.exec(
        select(Badge, Employee)
        .join(Employee, col(Badge.employee_id) == col(Employee.user_id))
        .where(col(Badge.credential_id).is_(None))
        .order_by(col(Employee.name), col(Badge.id))
    ).all()
    holders = []
    for badge, employee in rows:
        if wanted in {normalise_skill(s) for s in badge.skills}:
            holders.append(Holder(employee.user_id, employee.name, employee.team, employee.role,
                                  f"badge:{badge.id}", badge.achievement, badge.verified_at, True))
    return holders[:limit]
