"""`badger badges ...`: verify an Open Badge, import one into an employee's profile, award a credential."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from sqlmodel import select

from bot import cli_issuer
from bot.cli_people import acting
from bot.console import err, load_settings, out, print_json, user_errors
from core.db import get_engine, session_scope
from skills.access import Actor
from skills.assistant.resolve import one_person
from skills.badges.fetch import DEFAULT_TIMEOUT, Fetcher
from skills.badges.importing import BadgeNotVerified, RecipientMismatch, import_badge
from skills.badges.result import Verification
from skills.badges.verify import read_source, verify_badge
from skills.models import Enrolment, State
from skills.recognition import ShoutoutPolicy, award, team_channel

app = typer.Typer(add_completion=False,
                  help="Verify Open Badges (2.0 and 3.0), import them, and award credentials.",
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
    settings = load_settings()
    engine = get_engine(settings)
    with user_errors():
        try:
            with session_scope(engine) as session:
                done = import_badge(session=session, actor=Actor(acting or user), user_id=user,
                                    source=text_source, fetcher=Fetcher(timeout=timeout),
                                    shoutouts=ShoutoutPolicy.from_settings(settings))
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


@app.command("award")
def award_(
    user: Annotated[str, typer.Option("--user", help="Who earned it: Slack id or unique name.")],
    credential: Annotated[str, typer.Option("--credential", help="The catalogue credential id.")],
    by: Annotated[str | None, typer.Option("--by", help="Who confirms it: their manager or an L&D admin (Slack id "
                                           "or unique name). Needed unless Badger has exactly one admin.")] = None,
    badge_url: Annotated[str | None, typer.Option("--badge-url", help="Where the badge can be seen.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Confirm a credential was earned, as in Slack: EARNED, and a shoutout queued once. Re-running changes nothing."""
    settings = load_settings()
    policy = ShoutoutPolicy.from_settings(settings)
    with user_errors(), session_scope(get_engine(settings)) as session:
        employee, actor = one_person(session, user), acting(session, by)
        before = session.exec(select(Enrolment.id).where(
            Enrolment.employee_id == employee.user_id, Enrolment.credential_id == credential,
            Enrolment.state == State.EARNED)).first()
        enrolment = award(session=session, actor=actor, employee_id=employee.user_id, credential_id=credential,
                          badge_url=badge_url, policy=policy)
        changed, channel = before is None, team_channel(session, employee, policy)
        summary = {"changed": changed, "enrolment_id": enrolment.id, "employee": employee.user_id,
                   "credential_id": credential, "state": enrolment.state, "by": actor.user_id,
                   "shoutout": None if not changed else ("private" if employee.shoutout_opt_out else channel)}
        name = employee.name
    if as_json:
        print_json(summary)
        return
    awarded = f"[green]Awarded[/green] {escape(credential)} to {escape(name)} (#{summary['enrolment_id']})"
    if not changed:
        out.print(f"{escape(name)} already earned {escape(credential)}; nothing changed.")
    elif summary["shoutout"] == "private":
        out.print(f"{awarded}; they opted out of shoutouts, so they get a private congratulation.")
    else:
        wait = f"in {policy.hold_minutes:g} minutes" if policy.hold_minutes > 0 else "at once"
        out.print(f"{awarded}; the shoutout posts in {escape(channel)} {wait} unless their manager holds it.")


cli_issuer.register(app)  # issued, export, revoke: the badges Badger issues
