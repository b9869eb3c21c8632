"""The console's skills and talent views: a teams × role-skills heatmap, the largest gaps, who has a skill."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as select_many
from sqlmodel import Session, col, select

from knowledge.models import Credential
from skills.console.access import Scope
from skills.console.models import TalentOptOut
from skills.console.tables import Table
from skills.gaps import Finder
from skills.models import Badge, Employee, Enrolment, RoleSkill, State
from skills.normalise import normalise_role, normalise_skill

HEATMAP_SKILLS = 12
GAPS_SHOWN = 15


@dataclass(frozen=True)
class Coverage:
    """Per team and skill: how many people need it (by role) and how many of them hold it (earned badges)."""

    teams: list[str]
    skills: list[tuple[str, str]]  # (skill key, display name), most needed first
    need: dict[tuple[str, str], int]  # (team, skill key) -> people whose role needs it
    have: dict[tuple[str, str], int]  # (team, skill key) -> of those, how many hold it

    def share(self, team: str, skill_key: str) -> float | None:
        """The share of the people needing the skill who hold it; None when nobody on the team needs it."""
        needing = self.need.get((team, skill_key))
        return None if not needing else self.have.get((team, skill_key), 0) / needing


NO_TEAM = "(no team)"


def _profiles(session: Session) -> dict[str, list[RoleSkill]]:
    profiles: dict[str, list[RoleSkill]] = defaultdict(list)
    for row in session.exec(select(RoleSkill).order_by(col(RoleSkill.position))):
        profiles[row.role_key].append(row)
    return profiles


def _taught(session: Session) -> dict[str, set[str]]:
    """Normalised skills per credential id."""
    return {cid: {normalise_skill(s) for s in skills} for cid, skills in session.exec(
        select(Credential.id, Credential.skills))}


def _holders(session: Session, where: Any) -> dict[str, tuple[str, str, set[str]]]:
    """user id -> (team, role key, skills held through earned enrolments and verified badges), for people matching."""
    taught = _taught(session)
    held: dict[str, tuple[str, str, set[str]]] = {}
    earned = (select(Enrolment.employee_id, Employee.team, Employee.role, Enrolment.credential_id)
              .join(Employee, col(Employee.user_id) == col(Enrolment.employee_id))
              .where(Enrolment.state == State.EARNED, where))
    for user_id, team, role, credential_id in session.exec(earned):
        entry = held.setdefault(user_id, (team or NO_TEAM, normalise_role(role or ""), set()))
        entry[2].update(taught.get(credential_id, ()))
    badges = (select(Badge.employee_id, Employee.team, Employee.role, Badge.skills)
              .join(Employee, col(Employee.user_id) == col(Badge.employee_id)).where(where))
    for user_id, team, role, skills in session.exec(badges):
        entry = held.setdefault(user_id, (team or NO_TEAM, normalise_role(role or ""), set()))
        entry[2].update(normalise_skill(s) for s in skills)
    return held


def coverage(session: Session, scope: Scope) -> Coverage:
    """How many people in the scope need each role skill, per team, and how many hold it (counted in SQL)."""
    profiles = _profiles(session)
    need: Counter[tuple[str, str]] = Counter()
    have: Counter[tuple[str, str]] = Counter()
    names: dict[str, str] = {}
    demand: Counter[str] = Counter()
    teams: set[str] = set()
    counts = (select(Employee.team, Employee.role, func.count()).where(scope.covers(col(Employee.user_id)))
              .group_by(col(Employee.team), col(Employee.role)))
    for team, role, count in session.exec(counts):
        for row in profiles.get(normalise_role(role or ""), ()):
            teams.add(team or NO_TEAM)
            need[(team or NO_TEAM, row.skill_key)] += count
            names.setdefault(row.skill_key, row.skill)
            demand[row.skill_key] += count
    for team, role_key, held in _holders(session, scope.covers(col(Employee.user_id))).values():
        for row in profiles.get(role_key, ()):
            if row.skill_key in held:
                have[(team, row.skill_key)] += 1
    skills = [(key, names[key]) for key, _ in sorted(demand.items(), key=lambda kv: (-kv[1], names[kv[0]].lower()))]
    return Coverage(sorted(teams), skills, dict(need), dict(have))


def heatmap_table(cov: Coverage) -> Table:
    """The heatmap as a table: one row per team and skill."""
    rows = []
    for team in cov.teams:
        for key, name in cov.skills:
            needing = cov.need.get((team, key))
            if needing:
                holding = cov.have.get((team, key), 0)
                rows.append((team, name, needing, holding, round(100 * holding / needing, 1)))
    return Table("heatmap", "Skill coverage by team", ["Team", "Skill", "People needing it", "Holding it", "% covered"],
                 rows)


def gaps_table(cov: Coverage, finder: Finder | None, *, limit: int | None = GAPS_SHOWN) -> Table:
    """The skills most missing across the scope, with credentials in the catalogue that teach them."""
    missing: Counter[str] = Counter()
    for (team, key), needing in cov.need.items():
        missing[key] += needing - cov.have.get((team, key), 0)
    names = dict(cov.skills)
    ranked = [(k, n) for k, n in sorted(missing.items(), key=lambda kv: (-kv[1], names[kv[0]].lower())) if n > 0]
    rows = []
    for key, count in ranked[:limit]:
        teaching = ""
        if finder is not None:
            hits = finder.search(names[key], k=3).hits
            teaching = "; ".join(f"{h.title} ({h.provider})" for h in hits)
        rows.append((names[key], count, teaching))
    return Table("gaps", "Largest skill gaps", ["Skill", "People missing it", "Credentials that teach it"], rows)


def cell_people(session: Session, scope: Scope, team: str, skill: str) -> Table:
    """The people behind one heatmap cell: who on the team needs the skill by role, and whether they hold it."""
    key = normalise_skill(skill)
    roles = set(session.exec(select(RoleSkill.role_key).where(RoleSkill.skill_key == key)).all())
    on_team = col(Employee.team).is_(None) if team == NO_TEAM else col(Employee.team) == team
    members = [(uid, name) for uid, name, role in session.exec(
        select(Employee.user_id, Employee.name, Employee.role).where(on_team, scope.covers(col(Employee.user_id))))
        if normalise_role(role or "") in roles]
    held = _holders(session, on_team & scope.covers(col(Employee.user_id)))
    rows = sorted(((uid, name, key in held.get(uid, ("", "", set()))[2]) for uid, name in members),
                  key=lambda r: (r[2], r[1]))
    return Table("cell", f"{team}: {skill}", ["Slack id", "Name", "Holds it"], rows, links={"Name": ("people/", 0)})


def talent(session: Session, scope: Scope, *, skill: str, team: str | None = None, limit: int = 500) -> Table:
    """Who earned a credential (or holds a verified badge) teaching the skill, verified first, within the scope.

    People who opted out of talent search are never listed.
    """
    key = normalise_skill(skill)
    teaching = [cid for cid, skills in _taught(session).items() if key in skills]
    hidden = select(TalentOptOut.user_id)
    visible = scope.covers(col(Employee.user_id)) & col(Employee.user_id).not_in(hidden)
    if team:
        visible = visible & (col(Employee.team) == team)
    verified = col(Enrolment.badge_verified_at).is_not(None)
    earned = (
        select_many(col(Employee.user_id), col(Employee.name), col(Employee.team), col(Employee.role),
                    col(Credential.title), col(Enrolment.earned_at), verified)
        .join(Enrolment, col(Enrolment.employee_id) == col(Employee.user_id))
        .join(Credential, col(Credential.id) == col(Enrolment.credential_id))
        .where(col(Enrolment.state) == State.EARNED, col(Enrolment.credential_id).in_(teaching), visible)
        .order_by(verified.desc(), col(Employee.name)).limit(limit)
    )
    rows = [tuple(r) for r in session.execute(earned)] if teaching else []
    badges = (select_many(col(Employee.user_id), col(Employee.name), col(Employee.team), col(Employee.role),
                          col(Badge.achievement), col(Badge.verified_at), col(Badge.skills), col(Badge.credential_id))
              .join(Badge, col(Badge.employee_id) == col(Employee.user_id)).where(visible))
    listed = {(r[0], r[4]) for r in rows}
    for uid, name, team_, role, achievement, at, skills, credential_id in session.execute(badges):
        if credential_id not in teaching and key in {normalise_skill(s) for s in skills} \
                and (uid, achievement) not in listed:
            rows.append((uid, name, team_, role, achievement, at, True))
    rows.sort(key=lambda r: (not r[6], str(r[1]).lower()))
    return Table("talent", f"Who has {skill}", ["Slack id", "Name", "Team", "Role", "Credential", "Earned", "Verified"],
                 rows[:limit], links={"Name": ("people/", 0)})
