"""`badger console`: serve the L&D console alone on localhost, or print a one-time sign-in link."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.console import err, knowledge, load_settings, out, user_errors
from core.db import get_engine, session_scope
from core.settings import Settings
from skills.assistant.resolve import one_person
from skills.console.signin import make_link_token

app = typer.Typer(add_completion=False, invoke_without_command=True,
                  help="The L&D console: serve it on localhost, or print a one-time sign-in link.")


def console_url(settings: Settings, port: int | None = None) -> str:
    """The console's base URL: BADGER_CONSOLE_URL, else localhost on the console port."""
    if settings.badger_console_url:
        return settings.badger_console_url.rstrip("/")
    return f"http://127.0.0.1:{port or settings.badger_console_port}"


def sign_in_link(settings: Settings, user: str, port: int | None = None) -> str:
    """A one-time sign-in link for the person (Slack id or unique name)."""
    with session_scope(get_engine(settings)) as session:
        employee = one_person(session, user)
        token = make_link_token(session=session, settings=settings, user_id=employee.user_id)
    return f"{console_url(settings, port)}/login/link?token={token}"


@app.callback()
def serve(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Option("--user", help="Print a sign-in link for this person (Slack id or "
                                             "unique name); default: the only admin.")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default BADGER_CONSOLE_PORT).")] = None,
) -> None:
    """Serve the console on 127.0.0.1 and print a one-time sign-in link."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from bot.cli_people import acting
    from bot.web.console import build_console

    settings = load_settings()
    chosen = port if port is not None else settings.badger_console_port
    with user_errors():
        if user is None:
            with session_scope(get_engine(settings)) as session:
                user = acting(session, None).user_id
        link = sign_in_link(settings, user, chosen)
    kb = knowledge()
    out.print(f"The L&D console: {console_url(settings, chosen)}\nSign in (once, within "
              f"{settings.badger_console_link_minutes:g} minutes): {link}", soft_wrap=True)
    uvicorn.run(build_console(settings, kb.engine, kb), host="127.0.0.1", port=chosen, log_level="warning")


@app.command("link")
def link(user: Annotated[str, typer.Option("--user", help="Slack id or unique name of an admin or manager.")]) -> None:
    """Print a signed one-time sign-in link (expires in BADGER_CONSOLE_LINK_MINUTES)."""
    settings = load_settings()
    with user_errors():
        url = sign_in_link(settings, user)
    out.print(url, soft_wrap=True)
    err.print(f"Single use; expires in {settings.badger_console_link_minutes:g} minutes.")
