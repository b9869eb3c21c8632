"""What each console page shows: its tables (built lazily, so an export builds only its own) and extras."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from core.clock import aware
from knowledge.base import KnowledgeBase
from knowledge.models import ACTIVE, Credential
from skills.console import insight, overview, people
from skills.console.access import Scope, require_admin, require_visible
from skills.console.tables import Table
from skills.errors import ValidationFailed
from skills.models import Employee

Maker = Callable[[], Table]
HEATMAP_SKILLS = 12
CATALOGUE_ROWS = 200


@dataclass
class Ctx:
    """One request's view: the database session, who is asking, the query parameters."""

    session: Session
    scope: Scope
    params: dict[str, str]
    kb: KnowledgeBase | None
    full: bool = False  # an export: no row limits


@dataclass
class PageData:
    """A page's tables (by key, built on demand) and anything else its template shows."""

    heading: str
    tables: dict[str, Maker]
    extras: dict[str, Any] = field(default_factory=dict)
    grid: bool = False


def teams(ctx: Ctx) -> list[str]:
    """The teams the scope may see, for filters."""
    rows = ctx.session.exec(select(Employee.team).where(ctx.scope.covers(col(Employee.user_id))).distinct())
    return sorted(t for t in rows.all() if t)


def overview_page(ctx: Ctx) -> PageData:
    s, scope = ctx.session, ctx.scope
    return PageData("Overview", {
        "funnel": lambda: overview.funnel(s, scope),
        "badges": lambda: overview.badges_by_month(s, scope),
        "top-credentials": lambda: overview.top_credentials(s, scope),
        "top-providers": lambda: overview.top_providers(s, scope),
        "spend": lambda: overview.spend(s, scope),
    }, {"teams": teams(ctx) if scope.is_admin else []}, grid=True)


def skills_page(ctx: Ctx) -> PageData:
    cov = insight.coverage(ctx.session, ctx.scope)
    finder = ctx.kb.searcher if ctx.kb is not None else None
    limit = None if ctx.full else insight.GAPS_SHOWN
    return PageData("Skills", {
        "heatmap": lambda: insight.heatmap_table(cov),
        "gaps": lambda: insight.gaps_table(cov, finder, limit=limit),
    }, {"coverage": cov})


def cell_page(ctx: Ctx) -> PageData:
    team, skill = ctx.params.get("team", ""), ctx.params.get("skill", "")
    people_of_cell = insight.cell_people(ctx.session, ctx.scope, team, skill)
    return PageData(f"{skill} in {team}", {"cell": lambda: people_of_cell})


def talent_page(ctx: Ctx) -> PageData:
    skill, team = ctx.params.get("skill", "").strip(), ctx.params.get("team", "")
    tables: dict[str, Maker] = {}
    if skill:
        tables["talent"] = lambda: insight.talent(ctx.session, ctx.scope, skill=skill, team=team or None,
                                                  limit=100_000 if ctx.full else 500)
    return PageData("Talent", tables, {"teams": teams(ctx)})


def catalogue_page(ctx: Ctx) -> PageData:
    require_admin(ctx.scope)
    query = ctx.params.get("q", "").strip()

    def listing() -> Table:
        columns = ["Id", "Title", "Provider", "Level", "Hours", "Cost", "Skills"]
        if query and ctx.kb is not None:
            hits = ctx.kb.search(query, k=50).hits
            rows = [(h.id, h.title, h.provider, h.level, h.duration_hours, h.cost, ", ".join(h.skills)) for h in hits]
            return Table("catalogue", f"Search: {query}", columns, rows)
        stmt = (select(Credential).where(Credential.status == ACTIVE)
                .order_by(col(Credential.provider), col(Credential.title)))
        if not ctx.full:
            stmt = stmt.limit(CATALOGUE_ROWS)
        rows_iter = ((c.id, c.title, c.provider, c.level, c.duration_hours, c.cost, ", ".join(c.skills))
                     for c in ctx.session.exec(stmt))
        return Table("catalogue", "Active catalogue", columns, rows_iter,
                     note="" if ctx.full else f"The first {CATALOGUE_ROWS}; search, or download the CSV for all.")

    return PageData("Catalogue", {"catalogue": listing})


def people_page(ctx: Ctx) -> PageData:
    q, team = ctx.params.get("q", ""), ctx.params.get("team", "")
    return PageData("People", {
        "people": lambda: people.directory(ctx.session, ctx.scope, query=q, team=team,
                                           limit=None if ctx.full else people.PAGE_ROWS),
    }, {"teams": teams(ctx)})


def person_page(ctx: Ctx, user_id: str) -> PageData:
    person = require_visible(ctx.session, ctx.scope, user_id)

    def maker(key: str) -> Maker:
        return lambda: people.person_table(ctx.session, person, key)

    makers = {key: maker(key) for key in people.PERSON_TABLES}
    return PageData(person.name, makers, {"person": person})


def audit_page(ctx: Ctx) -> PageData:
    since_text = ctx.params.get("since", "")
    since: datetime | None = None
    if since_text:
        try:
            since = aware(datetime.fromisoformat(since_text))
        except ValueError:
            raise ValidationFailed(f"since: {since_text!r} is not a date like 2026-01-31.") from None
    return PageData("Audit trail", {
        "audit": lambda: people.audit(ctx.session, ctx.scope, employee_id=ctx.params.get("person", ""),
                                      actor_id=ctx.params.get("actor", ""), action=ctx.params.get("action", ""),
                                      since=since, limit=None if ctx.full else people.PAGE_ROWS),
    })


PAGES: dict[str, tuple[str, Callable[[Ctx], PageData]]] = {
    "overview": ("Overview", overview_page),
    "skills": ("Skills", skills_page),
    "talent": ("Talent", talent_page),
    "catalogue": ("Catalogue", catalogue_page),
    "people": ("People", people_page),
    "audit": ("Audit", audit_page),
}
