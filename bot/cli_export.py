"""`badger export enrolments|badges|skills`: stream learning records to CSV or JSON Lines for HR systems."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from bot.cli_people import acting
from bot.console import err, load_settings, user_errors
from core.db import get_engine
from skills.records.exports import KINDS, export_records, write_export


def _since(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date; use YYYY-MM-DD, e.g. 2026-01-31.",
                                 param_hint="--since") from None


def export(
    kind: Annotated[str, typer.Argument(help=f"What to export: {', '.join(KINDS)}.")],
    csv: Annotated[bool, typer.Option("--csv", help="CSV with a header row (the default).")] = False,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON object per line.")] = False,
    since: Annotated[str | None, typer.Option(help="Only rows changed or earned on or after this date "
                                                   "(YYYY-MM-DD).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file (default: stdout).")] = None,
    by: Annotated[str | None, typer.Option(help="The admin exporting (default: the only admin).")] = None,
) -> None:
    """Stream enrolments, badges or skills held, in constant memory (admins only)."""
    if csv and jsonl:
        raise typer.BadParameter("choose one of --csv and --jsonl.", param_hint="--csv/--jsonl")
    fmt = "jsonl" if jsonl else "csv"
    start = _since(since)
    engine = get_engine(load_settings())
    with user_errors(), Session(engine) as session:
        records = export_records(session=session, actor=acting(session, by), kind=kind.strip().lower(), since=start)
        if out is None:
            count = write_export(records, sys.stdout, fmt)
        else:
            partial = out.with_name(out.name + ".partial")  # a crash never leaves a truncated file under the name
            with partial.open("w", encoding="utf-8", newline="") as handle:
                count = write_export(records, handle, fmt)
            partial.replace(out)
    err.print(f"Exported {count} {records.kind} row(s) as {fmt}" + (f" to {out}." if out else "."))
