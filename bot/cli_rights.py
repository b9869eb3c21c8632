"""`badger people export|erase|requests`: a person's data rights, carried out by an L&D admin."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from sqlmodel import Session

from bot.cli_people import acting
from bot.console import err, load_settings, out, print_json, user_errors
from core.db import get_engine
from core.errors import NotFoundError
from skills.assistant.resolve import one_person
from skills.records.rights import close_requests, erase, pending_requests, person_document
from skills.records.xapi import XapiConfig

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="People's data rights: a copy of everything about someone, or its erasure (admins only).")
SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,39}$")
By = Annotated[str | None, typer.Option(help="The admin acting (default: the only admin).")]


def _subject(session: Session, who: str) -> str:
    """The person's user id: by name or id; an id nobody has any more is kept (an erasure may be re-run)."""
    try:
        return one_person(session, who).user_id
    except NotFoundError:
        if SLACK_ID.match(who.strip()):
            return who.strip()
        raise


@app.command("export")
def export(
    user: Annotated[str, typer.Argument(help="The person: a Slack user id or a name.")],
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="Write the JSON here (default: stdout).")] = None,
    by: By = None,
) -> None:
    """Everything Badger holds about one person, as one JSON document."""
    engine = get_engine(load_settings())
    with user_errors(), Session(engine) as session:
        admin = acting(session, by)
        subject = _subject(session, user)
        document = person_document(session=session, actor=admin, user_id=subject)
        close_requests(session, admin=admin, user_id=subject, action="export")
        session.commit()
    if out_file is None:
        print_json(document)
        return
    out_file.write_text(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    err.print(f"Wrote everything about {escape(subject)} to {escape(str(out_file))}.")


@app.command("erase")
def erase_cmd(
    user: Annotated[str, typer.Argument(help="The person: a Slack user id or a name.")],
    keep_aggregates: Annotated[bool, typer.Option("--keep-aggregates", help="Keep their enrolments and badges "
                                                  "under an anonymous placeholder, so counts and skills stay.")]
    = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    by: By = None,
) -> None:
    """Erase (or anonymise) everything about one person, in one transaction; safe to run again."""
    settings = load_settings()
    engine = get_engine(settings)
    with user_errors():
        with Session(engine) as session:
            admin = acting(session, by)
            subject = _subject(session, user)
        if not yes and not typer.confirm(f"Erase everything Badger holds about {subject}? This cannot be undone"):
            raise typer.Exit(1)
        from knowledge.index import VectorIndex  # Chroma: imported only for an erasure

        report = erase(engine, actor=admin, user_id=subject, keep_aggregates=keep_aggregates,
                       xapi=XapiConfig.from_settings(settings) if settings.xapi_endpoint else None,
                       forget_vectors=VectorIndex(settings).forget_person)
    if not report.found and not report.deleted.get("vectors"):
        out.print(f"Nothing about {escape(subject)} is held any more (already erased, or never known).")
        return
    done = {k: v for k, v in {**report.deleted, **{f"{k} anonymised": v for k, v in report.anonymised.items()}}
            .items() if v}
    out.print(f"[green]Erased[/green] {escape(subject)}: " + escape(", ".join(f"{k} {v}" for k, v in done.items()))
              + (f"; {report.voids_queued} xAPI statement void(s) queued." if report.voids_queued else "."))


@app.command("requests")
def requests(by: By = None, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Data requests people made from Slack that wait for an admin."""
    engine = get_engine(load_settings())
    with user_errors(), Session(engine) as session:
        rows = pending_requests(session=session, actor=acting(session, by))
    listed = [{"id": str(r.id), "action": r.action, "user": r.subject_id or "", "asked": r.created_at.isoformat()}
              for r in rows]
    if as_json:
        print_json(listed)
        return
    for row in listed:
        out.print(f"#{row['id']} {row['action']} {row['user']} (asked {row['asked'][:16]}): "
                  f"`badger people {row['action']} {row['user']}`")
    if not listed:
        out.print("No data requests are waiting.")
