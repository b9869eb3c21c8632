"""`badger jobs ...`: list the scheduled jobs, or run one now (optionally as if at another time)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Table

from bot.console import err, load_settings, out, print_json, user_errors

app = typer.Typer(help="Scheduled jobs: reminders, the weekly digest, catalogue re-sync, timezone sync.",
                  no_args_is_help=True)


def parse_now(text: str, timezone: str) -> datetime:
    """An ISO 8601 time; without an offset it is read in BADGER_TIMEZONE."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO time; try 2026-12-01T10:00 or 2026-12-01T10:00+09:00.",
                                 param_hint="--now") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


@app.command("list")
def list_jobs(as_json: Annotated[bool, typer.Option("--json", help="Print the jobs as JSON.")] = False) -> None:
    """Each job's id, schedule (in BADGER_TIMEZONE), next run and what it does."""
    from core.db import get_engine
    from jobs.registry import JOBS
    from jobs.scheduler import next_runs

    settings = load_settings()
    tz = ZoneInfo(settings.badger_timezone)
    with user_errors():
        stored = next_runs(get_engine(settings))
    rows: list[dict[str, Any]] = []
    for spec in JOBS.values():
        known = stored.get(spec.id)
        upcoming = known or spec.build_trigger(settings.badger_timezone).get_next_fire_time(None, datetime.now(tz))
        rows.append({"id": spec.id, "schedule": f"{spec.schedule} ({settings.badger_timezone})",
                     "next_run": upcoming.astimezone(tz).isoformat(timespec="minutes") if upcoming else None,
                     "scheduled": known is not None, "help": spec.help})
    if as_json:
        print_json(rows)
        return
    table = Table("job", "schedule", "next run", "what it does",
                  caption="* from the schedule: no scheduler has stored this job yet")
    for row in rows:
        when = (row["next_run"] or "never").replace("T", " ")[:16]
        table.add_row(row["id"], row["schedule"], when if row["scheduled"] else f"{when} *", row["help"])
    out.print(table)


@app.command("run")
def run(
    name: Annotated[str, typer.Argument(help="The job id, as `badger jobs list` shows it.")],
    now: Annotated[str | None, typer.Option(help="Run as if at this ISO time (default: now); without an offset, "
                                                 "in BADGER_TIMEZONE.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the job's summary as JSON.")] = False,
) -> None:
    """Run one job now, in this process; safe to repeat (every job is idempotent)."""
    from jobs.registry import JOBS

    settings = load_settings()
    spec = JOBS.get(name)
    if spec is None:
        err.print(f"[red]Error:[/red] there is no job called {escape(repr(name))}; the jobs are: {', '.join(JOBS)}.")
        raise typer.Exit(2)
    when = parse_now(now, settings.badger_timezone) if now is not None else None
    with user_errors():
        summary = spec.function()(now=when, **spec.kwargs)
    if as_json:
        print_json(summary)
        return
    details = ", ".join(f"{key} {value}" for key, value in summary.items())
    out.print(f"[green]{escape(name)}[/green] done: {escape(details)}.")
