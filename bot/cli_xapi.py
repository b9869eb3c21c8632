"""`badger xapi backfill|send|status`: learning records to the xAPI learning record store at XAPI_ENDPOINT."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.console import err, load_settings, out, print_json, user_errors
from core.db import get_engine
from skills.models import Notice
from skills.records.xapi import KIND, XapiConfig, queue_statements

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="xAPI: queue statements for the audit history and send them to the learning record store.")


def _configured() -> None:
    if not load_settings().xapi_endpoint:
        err.print("[red]Error:[/red] XAPI_ENDPOINT is not set; set it (and XAPI_USERNAME/XAPI_PASSWORD or "
                  "XAPI_TOKEN) to send statements to a learning record store.")
        raise typer.Exit(2)


@app.command("backfill")
def backfill(send: Annotated[bool, typer.Option("--send/--no-send", help="Send them now too.")] = True) -> None:
    """Queue a statement for every past enrolment event that has none (ids from the events: safe to repeat)."""
    _configured()
    settings = load_settings()
    with user_errors(), Session(get_engine(settings)) as session:
        queued = queue_statements(session, XapiConfig.from_settings(settings), full=True)
    out.print(f"Queued {queued} statement(s) from the audit history.")
    if send:
        sending()


@app.command("send")
def sending(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Send what is due now (the scheduled `xapi` job does this every minute)."""
    _configured()
    from jobs.xapi import send_statements

    with user_errors():
        summary = send_statements()
    if as_json:
        print_json(summary)
        return
    out.print(escape(", ".join(f"{k} {v}" for k, v in summary.items() if k != "skipped")) + ".")
    if summary.get("retried"):
        err.print("[yellow]The LRS did not answer or is down; the statements wait and are retried with back-off.[/]")
    if summary.get("failed"):
        err.print("[red]The LRS refused some statements;[/] see `badger xapi status` and the log for why.")


@app.command("status")
def status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """How many statements are pending, sent or failed, and the latest errors."""
    with Session(get_engine(load_settings())) as session:
        counts = dict(session.exec(select(Notice.status, func.count()).where(Notice.kind == KIND)
                                   .group_by(col(Notice.status))).all())
        errors = session.exec(select(Notice.last_error).where(Notice.kind == KIND, Notice.status == "failed")
                              .order_by(col(Notice.id).desc()).limit(5)).all()
    if as_json:
        print_json({"counts": counts, "errors": list(errors)})
        return
    out.print(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "No statements queued yet.")
    for error in errors:
        out.print(f"[red]✗[/red] {escape(error or '')}")
