"""`badger demo`: migrate the database, load the bundled demo data and open the terminal chat (or the Slack app)."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlmodel import Session

from bot.cli_chat import DEMO_USER, chat
from bot.cli_db import upgrade_database
from bot.console import err, knowledge, out, progress_bar, user_errors
from core.settings import Settings
from skills.org import demo_file, load_org, load_role_profiles

DEMO_ADMIN = "U0DEMOSAM1"  # Sam Okafor, the demo org's L&D admin
DEMO_CATALOGUE = Path(__file__).resolve().parent.parent / "knowledge" / "demo" / "catalogue.yaml"


def demo(
    load_only: bool = typer.Option(False, "--load-only", help="Load the demo data, then exit."),
) -> None:
    """Load the demo catalogue and demo org (quick when unchanged), then the terminal chat or, with Slack
    tokens in .env, the Slack app (Socket Mode with SLACK_APP_TOKEN, else HTTP on port 3000)."""
    kb = knowledge()
    with user_errors():
        upgrade_database(kb.settings.resolved_database_url)
        with Session(kb.engine) as session:
            org = load_org(session, demo_file("org.csv"))
            load_role_profiles(session, demo_file("roles.yaml"))
            session.commit()
    with user_errors(), progress_bar(err.is_terminal) as progress:
        report = kb.load([DEMO_CATALOGUE], replace=True, progress=progress)
    out.print(f"Demo ready: {report.records} credentials ({report.embedded} newly embedded), "
              f"{org.created + org.updated} people in the demo org.")
    _console_link(kb.settings)
    if load_only:
        return
    if kb.settings.slack_configured:
        from bot.cli_serve import serve

        out.print("Slack tokens found in .env: starting the Slack app instead of the terminal chat.")
        serve(http=kb.settings.slack_app_token is None)
    else:
        chat(as_user=DEMO_USER)


def _console_link(settings: Settings) -> None:
    """Print the L&D console's URL with a one-time sign-in link for the demo admin."""
    from bot.cli_console import console_url, sign_in_link

    with user_errors():
        link = sign_in_link(settings, DEMO_ADMIN)
    out.print(f"The L&D console ({console_url(settings)}; start it with `badger console`, or it is at /console "
              f"under `badger serve --http`): sign in as Sam Okafor, the demo L&D admin, within "
              f"{settings.badger_console_link_minutes:g} minutes at\n{link}", soft_wrap=True)
