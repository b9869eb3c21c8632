"""`badger org ...`: load the org chart and role skill profiles; shoutout channels and opt-outs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.markup import escape
from rich.table import Table
from sqlmodel import Session, col, select

from bot.cli_people import acting
from bot.console import err, load_settings, out, print_json, user_errors
from core.db import get_engine, session_scope
from skills.access import Actor
from skills.assistant.resolve import one_person
from skills.errors import ValidationFailed
from skills.models import Employee
from skills.org import demo_file, load_org, load_role_profiles
from skills.recognition import set_shoutout_opt_out, set_team_channel

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Load the org chart and the skills each role needs; set shoutout channels and opt-outs.")
MAX_PROBLEMS_SHOWN = 50
T = TypeVar("T")


def _report(exc: ValidationFailed) -> None:
    for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
        err.print(f"[red]✗[/red] {escape(problem)}")
    if len(exc.problems) > MAX_PROBLEMS_SHOWN:
        err.print(f"… and {len(exc.problems) - MAX_PROBLEMS_SHOWN} more")
    err.print(f"[red]{escape(str(exc).splitlines()[0])}[/red] Nothing was changed.")


def _all_or_nothing(loader: Callable[[Session, Path], T], path: Path) -> T:
    """Run a file loader in one transaction; list every problem and exit 1 when the file is refused."""
    engine = get_engine(load_settings())
    with user_errors():
        try:
            with session_scope(engine) as session:
                return loader(session, path)
        except ValidationFailed as exc:
            if not exc.problems:
                raise
            _report(exc)
            raise typer.Exit(1) from None


@app.command("load")
def load(
    path: Annotated[Path, typer.Argument(help="CSV with user_id,name,email,role,team,manager_id, or YAML.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Load or update the org chart, all or nothing: every problem is named by file, row and field."""
    result = _all_or_nothing(load_org, path)
    if as_json:
        print_json({"file": str(path), "created": result.created, "updated": result.updated})
        return
    total = result.created + result.updated
    out.print(
        f"[green]Loaded[/green] {total} people from {escape(path.name)}: "
        f"{result.created} new, {result.updated} updated."
    )


@app.command("roles")
def roles(path: Annotated[Path, typer.Argument(help="YAML: roles: [{role, skills: [...]}].")]) -> None:
    """Load role skill profiles, replacing the profiles of the roles in the file."""
    count = _all_or_nothing(load_role_profiles, path)
    out.print(f"[green]Loaded[/green] skill profiles for {count} roles from {escape(path.name)}.")


@app.command("demo")
def demo() -> None:
    """Load the demo org (15 people in 3 teams) and its role skill profiles."""
    load(demo_file("org.csv"))
    roles(demo_file("roles.yaml"))


@app.command("list")
def list_people(team: Annotated[str | None, typer.Option(help="Only this team.")] = None) -> None:
    """List the people Badger knows, with their managers."""
    engine = get_engine(load_settings())
    table = Table(expand=True)
    for name in ("Name", "Slack id", "Role", "Team", "Manager", "Admin"):
        table.add_column(name, overflow="fold")
    with session_scope(engine) as session:
        query = select(Employee).order_by(col(Employee.team), col(Employee.name))
        if team:
            query = query.where(Employee.team == team)
        names = {e.user_id: e.name for e in session.exec(select(Employee))}
        for person in session.exec(query):
            manager = names.get(person.manager_id or "", "–")
            table.add_row(
                escape(person.name),
                person.user_id,
                escape(person.role or "–"),
                escape(person.team or "–"),
                escape(manager),
                "yes" if person.is_admin else "",
            )
    out.print(table)


@app.command("channel")
def channel(
    team: Annotated[str, typer.Argument(metavar="TEAM", help="The team, as in the org chart (e.g. Platform).")],
    channel_: Annotated[str | None, typer.Argument(metavar="CHANNEL", help="A channel id (C0123ABCD) or #name; "
                                                   "omit it with --clear.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Go back to BADGER_SHOUTOUT_CHANNEL.")] = False,
    by: Annotated[str | None, typer.Option("--by", help="The L&D admin making the change (Slack id or unique "
                                           "name); needed unless Badger has exactly one admin.")] = None,
) -> None:
    """Choose the channel where a team's shoutouts are posted."""
    if bool(channel_) == clear:
        err.print("[red]Error:[/red] give a CHANNEL, or --clear to use the default channel.")
        raise typer.Exit(2)
    with user_errors(), session_scope(get_engine(load_settings())) as session:
        setting = set_team_channel(session=session, actor=acting(session, by), team=team, channel=channel_)
        where = setting.shoutout_channel
    if where:
        out.print(f"[green]Saved[/green]: {escape(team)}'s shoutouts go to {escape(where)}.")
    else:
        out.print(f"[green]Saved[/green]: {escape(team)}'s shoutouts go to the default channel.")


@app.command("opt-out")
def opt_out(
    user: Annotated[str, typer.Argument(metavar="USER", help="Slack id or unique name.")],
    undo: Annotated[bool, typer.Option("--undo", help="Opt back in to team shoutouts.")] = False,
) -> None:
    """Opt someone out of team shoutouts (they get a private congratulation instead), or back in with --undo."""
    with user_errors(), session_scope(get_engine(load_settings())) as session:
        employee = one_person(session, user)
        set_shoutout_opt_out(session=session, actor=Actor(employee.user_id), opt_out=not undo)
        name = employee.name
    state = "opted back in to" if undo else "opted out of"
    out.print(f"[green]Saved[/green]: {escape(name)} {state} team shoutouts.")


@app.command("budget")
def budget(
    team: Annotated[str, typer.Argument(metavar="TEAM", help="The team, as in the org chart.")],
    amount: Annotated[float, typer.Argument(metavar="AMOUNT", help="The team's learning budget.")],
    by: Annotated[str | None, typer.Option("--by", help="The L&D admin making the change; needed unless Badger "
                                           "has exactly one admin.")] = None,
) -> None:
    """Set a team's learning budget (the L&D console shows spend against it)."""
    from skills.console.access import console_scope
    from skills.console.overview import set_team_budget

    with user_errors(), session_scope(get_engine(load_settings())) as session:
        scope = console_scope(session, acting(session, by))
        set_team_budget(session=session, scope=scope, team=team, amount=amount)
    out.print(f"[green]Saved[/green]: {escape(team)}'s budget is {amount:g}.")


@app.command("talent-opt-out")
def talent_opt_out(
    user: Annotated[str, typer.Argument(metavar="USER", help="Slack id or unique name.")],
    undo: Annotated[bool, typer.Option("--undo", help="Let talent search find them again.")] = False,
) -> None:
    """Keep someone out of talent search (managers and admins looking for a skill), or back in with --undo."""
    from skills.console.people import set_talent_opt_out

    with user_errors(), session_scope(get_engine(load_settings())) as session:
        employee = one_person(session, user)
        set_talent_opt_out(session=session, actor=Actor(employee.user_id), opt_out=not undo)
        name = employee.name
    out.print(f"[green]Saved[/green]: {escape(name)} " + ("can be found by talent search again." if undo
                                                          else "is no longer listed by talent search."))
