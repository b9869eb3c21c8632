"""The `badger` command line: catalogue loading, search, and the terminal chat."""

from __future__ import annotations

import importlib
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from bot import cli_catalogue, cli_chat, cli_search
from bot.console import err, load_settings
from core.logging import setup_logging

# Command groups imported only when used: `badger catalogue load` must start fast (the unchanged
# re-load target is 5 s, process start included) and need not import Alembic or JSON-LD.
LAZY_GROUPS = {"org": "bot.cli_org", "db": "bot.cli_db", "badges": "bot.cli_badges", "jobs": "bot.cli_jobs",
               "issuer": "bot.cli_issuer", "console": "bot.cli_console"}
LAZY_COMMANDS = {"demo": ("bot.cli_demo", "demo"), "serve": ("bot.cli_serve", "serve")}
LAZY_GROUPS |= {"people": "bot.cli_rights", "xapi": "bot.cli_xapi"}  # issue 17: data rights, xAPI
LAZY_COMMANDS |= {"export": ("bot.cli_export", "export")}  # issue 17: exports


class _LazyGroup(TyperGroup):
    # Typer vendors its own click; Any keeps these overrides independent of where it lives.
    def list_commands(self, ctx: Any) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_GROUPS, *LAZY_COMMANDS})

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found: Any = None
        if cmd_name in LAZY_GROUPS:
            found = typer.main.get_command(importlib.import_module(LAZY_GROUPS[cmd_name]).app)
        elif cmd_name in LAZY_COMMANDS:
            module, function = LAZY_COMMANDS[cmd_name]
            sub = typer.Typer(add_completion=False)
            sub.command(cmd_name)(getattr(importlib.import_module(module), function))
            found = typer.main.get_command(sub)
        if found is None:
            return super().get_command(ctx, cmd_name)
        found.name = cmd_name
        return found


app = typer.Typer(help="Badger: partner micro-credentials for your team, from Slack or the terminal.",
                  no_args_is_help=True, rich_markup_mode="rich", cls=_LazyGroup)
app.add_typer(cli_catalogue.app, name="catalogue")
app.command("search")(cli_search.search)
# sub-apps
app.command("chat")(cli_chat.chat)
app.command("ask")(cli_chat.ask)


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
