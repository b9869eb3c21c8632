"""Shared pieces of the command line: consoles, settings, error display, progress, tables."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from core.errors import BadgerError
from core.settings import Settings

if TYPE_CHECKING:
    from knowledge.base import KnowledgeBase
    from knowledge.search import Hit

out = Console()
err = Console(stderr=True)


def load_settings() -> Settings:
    """Read settings, turning validation errors into a clear message and exit code 2."""
    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]).upper() or "settings"
            err.print(f"[red]Configuration error[/red] in {escape(name)}: {escape(error['msg'])}")
        raise typer.Exit(2) from None


@contextmanager
def user_errors() -> Iterator[None]:
    """Show domain errors as one clear line and exit 2, never a traceback."""
    try:
        yield
    except BadgerError as exc:
        err.print(f"[red]Error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None


def knowledge() -> KnowledgeBase:
    """The knowledge base for the current settings (imported late: it pulls in Chroma)."""
    from knowledge.base import KnowledgeBase

    with user_errors():
        return KnowledgeBase(load_settings())


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar on stderr, fed by (stage, done, total) callbacks."""
    if not enabled:
        yield lambda stage, done, total: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage.capitalize(), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


def print_json(data: Any) -> None:
    """Print plain data as JSON on stdout (no colour, so it pipes cleanly)."""
    typer.echo(json.dumps(data, ensure_ascii=False, default=str))


def hits_table(hits: list[Hit], title: str | None = None) -> Table:
    """A table of search hits for the terminal."""
    table = Table(title=title, expand=True)
    for name, style in (("#", "dim"), ("Credential", "bold"), ("Provider", ""), ("Level", ""),
                        ("Hours", ""), ("Cost", ""), ("Why it matched", "dim")):
        table.add_column(name, style=style, overflow="fold")
    for rank, hit in enumerate(hits, start=1):
        cost = "free" if hit.cost == 0 else (f"{hit.cost:g} {hit.currency}" if hit.cost is not None else "–")
        hours = f"{hit.duration_hours:g}" if hit.duration_hours is not None else "–"
        table.add_row(str(rank), escape(hit.title), escape(hit.provider), hit.level or "–", hours, cost,
                      escape("; ".join(hit.why)))
    return table
