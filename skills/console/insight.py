"""The console's skills and talent views: a teams × role-skills heatmap, the largest gaps, who has a skill."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from knowledge.models import Credential
from skills.access import Actor
from skills.console.access import Scope, visible_ids
from skills.console.tables import Table
from skills.gaps import Finder, talent_search
from skills.models import Badge, Employee, Enrolment, RoleSkill, State
from skills.normalise import normalise_role, normalise_skill

HEATMAP_SKILLS = 12
GAPS_SHOWN = 15


@dataclass(frozen=True)
class Coverage:
    """Per team and skill: how many people need it (by role) and how many hold it (earned badges)."""

    teams: list[str]
    skills: list[tuple[str, str]]  # (skill key, display name), most needed first
    need: dict[tuple[str, str], list[str]]  # (team, skill key) -> user ids whose role needs it
    have: dict[tuple[str, str], set[str]]  # (team, skill key) -> of those, who hold it

    def share(self, team: str, skill_key: str) -> float | None:
        """The share of the people needing the skill who hold it; None when nobody on the team needs it."""
        needing = self.need.get((team, skill_key))
        return None if not needing else len(self.have.get((team, skill_key), ())) / len(needing)


def _held(session: Session, scope: Scope) -> dict[str, set[str]]:
    held: dict[str, set[str]] = defaultdict(set)
    earned = (
        select(Enrolment.employee_id, Credential.skills)
        .join(Credential, col(Enrolment.credential_id) == col(Credential.id))
        .where(Enrolment.state == State.EARNED, scope.covers(col(Enrolment.employee_id)))
    )
    for employee_id, skills in session.exec(earned):
        held[employee_id].update(normalise_skill(s) for s in skills)
    for employee_id, skills in session.exec(
        select(Badge.employee_id, Badge.skills).where(scope.covers(col(Badge.employee_id)))
    ):
        held[employee_id].update(normalise_skill(s) for s in skills)
    return held


def coverage(session: Session, scope: Scope) -> Coverage:
    """Who in the scope needs which role skill, and who holds it."""
    profiles: dict[str, list[RoleSkill]] = defaultdict(list)
    for row in session.exec(select(RoleSkill).order_by(col(RoleSkill.position))):
        profiles[row.role_key].append(row)
    held = _held(session, scope)
    need: dict[tuple[str, str], list[str]] = defaultdict(list)
    have: dict[tuple[str, str], set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    demand: Counter[str] = Counter()
    teams: set[str] = set()
    people = select(Employee.user_id, Employee.team, Employee.role).where(scope.covers(col(Employee.user_id)))
    for user_id, team, role in session.exec(people):
        team = team or "(no team)"
        for row in profiles.get(normalise_role(role or ""), ()):
            teams.add(team)
            need[(team, row.skill_key)].append(user_id)
            names.setdefault(row.skill_key, row.skill)
            demand[row.skill_key] += 1
            if row.skill_key in held.get(user_id, ()):
                have[(team, row.skill_key)].add(user_id)
    skills = [(key, names[key]) for key, _ in sorted(demand.items(), key=lambda kv: (-kv[1], names[kv[0]].lower()))]
    return Coverage(sorted(teams), skills, dict(need), dict(have))


def heatmap_table(cov: Coverage) -> Table:
    """The heatmap as a table: one row per team and skill."""
    rows = []
    for team in cov.teams:
        for key, name in cov.skills:
            needing = cov.need.get((team, key))
            if needing:
                holding = len(cov.have.get((team, key), ()))
                rows.append((team, name, len(needing), holding, round(100 * holding / len(needing), 1)))
    return Table("heatmap", "Skill coverage by team", ["Team", "Skill", "People needing it", "Holding it", "% covered"],
                 rows)


def gaps_table(cov: Coverage, finder: Finder | None, *, limit: int | None = GAPS_SHOWN) -> Table:
    """The skills most missing across the scope, with credentials in the catalogue that teach them."""
    missing: Counter[str] = Counter()
    for (_, key), needing in cov.need.items():
        missing[key] += len(needing) - len(cov.have.get((_, key), ()))
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


def cell_people(session: Session, scope: Scope, cov: Coverage, team: str, skill: str) -> Table:
    """The people behind one heatmap cell: who needs the skill and whether they hold it."""
    key = normalise_skill(skill)
    needing = cov.need.get((team, key), [])
    holding = cov.have.get((team, key), set())
    names = dict(session.exec(select(Employee.user_id, Employee.name).where(col(Employee.user_id).in_(needing))).all())
    rows = sorted(((uid, names.get(uid, uid), uid in holding) for uid in needing), key=lambda r: (r[2], r[1]))
    return Table("cell", f"{team}: {dict(cov.skills).get(key, skill)}", ["Slack id", "Name", "Holds it"], rows,
                 links={"Name": ("people/", 0)})


def talent(session: Session, scope: Scope, *, skill: str, team: str | None = None, limit: int = 500) -> Table:
    """Who has earned a credential teaching the skill (verified badges first), within the scope and team."""
    holders = talent_search(session=session, actor=Actor(scope.user_id), skill=skill, limit=limit * 4)
    seen = visible_ids(session, scope, sorted({h.employee_id for h in holders}))
    chosen = [h for h in holders if h.employee_id in seen and (not team or h.team == team)]
    chosen.sort(key=lambda h: (not h.verified, h.name.lower()))
    rows = [(h.employee_id, h.name, h.team, h.role, h.title, h.earned_at, h.verified) for h in chosen[:limit]]
    return Table("talent", f"Who has {skill}", ["Slack id", "Name", "Team", "Role", "Credential", "Earned", "Verified"],
                 rows, links={"Name": ("people/", 0)})
