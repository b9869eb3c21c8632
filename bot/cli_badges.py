"""`badger badges ...`: verify an Open Badge, and import one into an employee's profile."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from bot.console import err, load_settings, out, print_json, user_errors
from core.db import get_engine, session_scope
from skills.access import Actor
from skills.badges.fetch import DEFAULT_TIMEOUT, Fetcher
from skills.badges.importing import BadgeNotVerified, RecipientMismatch, import_badge
from skills.badges.result import Verification
from skills.badges.verify import read_source, verify_badge

app = typer.Typer(add_completion=False,
                  help="Verify Open Badges (2.0 and 3.0) and import them into the learning records.",
                  no_args_is_help=True)

SOURCE_HELP = "A badge file (JSON, VC-JWT, baked PNG or SVG) or the URL of a hosted assertion."
TIMEOUT_HELP = "Seconds to wait for an issuer's server (hosted assertions, did:web, keys, status lists)."


def _source(file_or_url: str) -> bytes:
    try:
        return read_source(file_or_url)
    except OSError as exc:
        err.print(f"[red]Error:[/red] can't read {escape(file_or_url)}: {escape(exc.strerror or str(exc))}")
        raise typer.Exit(2) from None


def _print_checks(result: Verification) -> None:
    for check in result.checks:
        mark = "[green]✓[/green]" if check.ok else "[red]✗[/red]"
        out.print(f"{mark} {check.name}: {escape(check.detail)}")


@app.command("verify")
def verify(
    file_or_url: Annotated[str, typer.Argument(help=SOURCE_HELP)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    timeout: Annotated[float, typer.Option(help=TIMEOUT_HELP)] = DEFAULT_TIMEOUT,
) -> None:
    """Verify a badge; exit 0 when it is valid, 1 when it is not."""
    result = verify_badge(_source(file_or_url), fetcher=Fetcher(timeout=timeout))
    if as_json:
        print_json(result.to_dict())
    else:
        _print_checks(result)
        verdict = "[green]Valid[/green]" if result.valid else "[red]Not valid[/red]"
        what = f"{result.achievement or 'badge'} from {result.issuer or 'an unknown issuer'}"
        out.print(f"{verdict} {escape(result.format)}: {escape(what)}")
    raise typer.Exit(0 if result.valid else 1)


@app.command("import")
def import_(
    file_or_url: Annotated[str, typer.Argument(help=SOURCE_HELP)],
    user: Annotated[str, typer.Option("--user", help="Slack user id of the employee who earned the badge.")],
    acting: Annotated[str | None, typer.Option("--as", help="Acting user id (default: --user); an admin "
                                               "may import for anyone.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    timeout: Annotated[float, typer.Option(help=TIMEOUT_HELP)] = DEFAULT_TIMEOUT,
) -> None:
    """Verify a badge, match its recipient, and record it (re-importing changes nothing)."""
    source = _source(file_or_url)
    text_source: bytes | str = file_or_url if file_or_url.startswith(("http://", "https://")) else source
    engine = get_engine(load_settings())
    with user_errors():
        try:
            with session_scope(engine) as session:
                done = import_badge(session=session, actor=Actor(acting or user), user_id=user,
                                    source=text_source, fetcher=Fetcher(timeout=timeout))
                badge = done.badge
                summary = {"created": done.created, "badge_id": badge.id, "employee": badge.employee_id,
                           "achievement": badge.achievement, "issuer": badge.issuer,
                           "credential_id": badge.credential_id, "skills": badge.skills,
                           "verification": done.verification.to_dict()}
        except (BadgeNotVerified, RecipientMismatch) as exc:
            if as_json:
                print_json({"created": False, "error": str(exc).splitlines()[0], "problems": exc.problems})
            else:
                err.print(f"[red]Not imported:[/red] {escape(str(exc))}")
            raise typer.Exit(1) from None
    if as_json:
        print_json(summary)
        return
    linked = f" (catalogue: {summary['credential_id']})" if summary["credential_id"] else ""
    verb = "Recorded" if done.created else "Already recorded"
    out.print(f"[green]{verb}[/green] {escape(str(summary['achievement']))} for {escape(user)}{escape(linked)}.")
