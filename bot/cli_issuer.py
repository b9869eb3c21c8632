"""`badger issuer ...` (the signing key and DID) and `badger badges issued|export|revoke` (the badges Badger issued)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from bot.cli_people import acting
from bot.console import err, load_settings, out, print_json, user_errors
from core.db import get_engine, session_scope
from skills.assistant.resolve import one_person
from skills.issuing.baking import baked_badge
from skills.issuing.identity import Issuer, did_web, issuer_from_settings
from skills.issuing.keyring import init_keys, rotate_keys
from skills.issuing.service import exported, get_issued, list_issued, revoke

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="The key and identity Badger signs Open Badges with.")


def _describe(issuer: Issuer) -> None:
    out.print(f"Issuer: {escape(issuer.name)} ({escape(issuer.did)})", emoji=False)
    out.print(f"Signing key: {escape(issuer.verification_method)}", emoji=False)
    if issuer.domain:
        out.print(f"Serve the DID document at https://{escape(issuer.domain)}/.well-known/did.json "
                  "(`badger serve --http` does, behind your HTTPS proxy).")


@app.command("init")
def init() -> None:
    """Make the Ed25519 signing key (file mode 0600); refuses to overwrite an existing key file."""
    settings = load_settings()
    with user_errors():
        key = init_keys(settings.issuer_key_path)
    out.print(f"[green]Made[/green] the issuer key {escape(key.name)} in {escape(str(settings.issuer_key_path))} "
              "(mode 600; back it up, never share it).")
    did = did_web(settings.badger_issuer_domain) if settings.badger_issuer_domain else f"did:key:{key.multikey}"
    out.print(f"The issuer's DID: {escape(did)}", emoji=False)


@app.command("rotate")
def rotate() -> None:
    """Add a new signing key; older keys stay in the DID document so earlier badges still verify."""
    settings = load_settings()
    with user_errors():
        key = rotate_keys(settings.issuer_key_path)
    out.print(f"[green]New signing key[/green] {escape(key.name)}; earlier keys are kept for verification.")
    if not settings.badger_issuer_domain:
        out.print("The issuer is a did:key, so new badges name the new key's DID; old badges still verify.")


@app.command("show")
def show(as_json: Annotated[bool, typer.Option("--json", help="Print the DID document.")] = False) -> None:
    """The issuer's identity, or its DID document (--json)."""
    with user_errors():
        issuer = issuer_from_settings(load_settings())
    if as_json:
        print_json(issuer.did_document())
    else:
        _describe(issuer)


def issued(user: Annotated[str | None, typer.Option("--user", help="Only this person's (Slack id or name).")] = None,
           as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The badges Badger issued, newest first."""
    with user_errors(), session_scope(get_engine(load_settings())) as session:
        employee_id = one_person(session, user).user_id if user else None
        rows = [{"id": r.uid, "employee": r.employee_id, "credential": r.credential_id, "achievement": r.achievement,
                 "issued_at": r.issued_at.isoformat(), "proof": r.proof_format, "url": r.document.get("id"),
                 "revoked": r.revoked_at is not None, "revocation_reason": r.revocation_reason}
                for r in list_issued(session, employee_id=employee_id)]
    if as_json:
        print_json(rows)
        return
    table = Table("id", "who", "achievement", "issued", "status")
    for r in rows:
        table.add_row(str(r["id"]), str(r["employee"]), escape(str(r["achievement"])), str(r["issued_at"])[:10],
                      "[red]revoked[/red]" if r["revoked"] else "valid")
    out.print(table if rows else "Badger has issued no badges yet.")


def export(
    badge_id: Annotated[str, typer.Argument(help="The issued badge's id (or its URL).")],
    png: Annotated[bool, typer.Option("--png", help="The badge image with the credential baked in.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="The credential (JSON, or the VC-JWT).")] = False,
    out_path: Annotated[Path | None, typer.Option("--out", help="Where to write it (default <id>.png/.json; "
                                                                 "- prints JSON).")] = None,
) -> None:
    """Write an issued badge as a baked PNG or as its JSON."""
    if png == json_:
        err.print("[red]Error:[/red] say --png or --json.")
        raise typer.Exit(2)
    settings = load_settings()
    with user_errors(), session_scope(get_engine(settings)) as session:
        row = get_issued(session, badge_id)
        text, title = exported(row), row.achievement
        organisation = str(row.document.get("issuer", {}).get("name", ""))
        uid = row.uid
    if json_ and str(out_path) == "-":
        out.print(text, markup=False, highlight=False)
        return
    target = out_path or Path(f"{uid}.{'png' if png else 'json'}")
    if png:
        target.write_bytes(baked_badge(title, organisation, text))
    else:
        target.write_text(text + "\n", encoding="utf-8")
    out.print(f"[green]Wrote[/green] {escape(str(target))}")


def revoke_(
    badge_id: Annotated[str, typer.Argument(help="The issued badge's id (or its URL).")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the record).")],
    by: Annotated[str | None, typer.Option("--by", help="Who revokes: an L&D admin or the person's manager. Needed "
                                           "unless Badger has exactly one admin.")] = None,
) -> None:
    """Revoke an issued badge: its status bit flips; the shoutout stays; its page says revoked."""
    with user_errors(), session_scope(get_engine(load_settings())) as session:
        row = revoke(session, actor=acting(session, by), uid=badge_id, reason=reason)
        when = row.revoked_at.date().isoformat() if row.revoked_at else ""
        uid, why = row.uid, row.revocation_reason or ""
    out.print(f"[green]Revoked[/green] {escape(uid)} on {when}: {escape(why)}")


def register(badges: typer.Typer) -> None:
    """Add `issued`, `export` and `revoke` to `badger badges`."""
    badges.command("issued")(issued)
    badges.command("export")(export)
    badges.command("revoke")(revoke_)
