"""The `badger` command line: catalogue loading, search, and the terminal chat."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from bot import cli_catalogue, cli_db, cli_demo, cli_org, cli_search
from bot.console import err, load_settings
from core.logging import setup_logging

app = typer.Typer(help="Badger: partner micro-credentials for your team, from Slack or the terminal.",
                  no_args_is_help=True, rich_markup_mode="rich")
app.add_typer(cli_catalogue.app, name="catalogue")
app.command("search")(cli_search.search)
app.command("chat")(cli_search.chat)
app.command("demo")(cli_demo.demo)
# sub-apps
app.add_typer(cli_org.app, name="org")
app.add_typer(cli_db.app, name="db")


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log at DEBUG level.")] = False) -> None:
    """Badger: partner micro-credentials for your team."""
    settings = load_settings()
    # The CLI prints its own summaries; INFO logs would repeat them, so it logs from WARNING unless asked.
    level = "DEBUG" if verbose else ("WARNING" if settings.log_level == "INFO" else settings.log_level)
    setup_logging(level, json_format=settings.log_json)


def main() -> None:
    """Entry point of the `badger` console script."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("Interrupted.")
        sys.exit(130)


if __name__ == "__main__":
    main()
