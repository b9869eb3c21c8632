"""`badger search`: the catalogue search from the command line."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from bot.console import hits_table, knowledge, out, print_json, user_errors

if TYPE_CHECKING:
    from knowledge.base import KnowledgeBase
    from knowledge.filters import Filters


def search(
    query: Annotated[str | None, typer.Argument(help="What you are looking for, in your own words.")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="How many results.")] = 10,
    provider: Annotated[str | None, typer.Option(help="Only this provider (exact name).")] = None,
    level: Annotated[str | None, typer.Option(help="beginner, intermediate or advanced.")] = None,
    max_hours: Annotated[float | None, typer.Option(min=0, help="At most this many hours.")] = None,
    max_cost: Annotated[float | None, typer.Option(min=0, help="At most this cost (0 = free).")] = None,
    skill: Annotated[str | None, typer.Option(help="Must list this skill.")] = None,
    format_: Annotated[str | None, typer.Option("--format", help="online, in-person or hybrid.")] = None,
    batch: Annotated[Path | None, typer.Option(
        help="A file with one query per line ('-' for stdin); prints one JSON object per line.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON: an array of hits in rank order.")] = False,
    no_parse: Annotated[bool, typer.Option(
        "--no-parse", help="Do not read filters (free, for beginners, from X, under N hours) from the words.")] = False,
) -> None:
    """Search the catalogue: hybrid lexical + semantic, with hard filters from options and from the question."""
    from knowledge.filters import make_filters

    try:
        filters = make_filters(provider=provider, level=level, max_hours=max_hours, max_cost=max_cost,
                               skill=skill, format=format_)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    if (query is None) == (batch is None):
        raise typer.BadParameter("give a QUERY or --batch FILE (not both)")
    kb = knowledge()
    with user_errors():
        if batch is not None:
            _batch(kb, batch, k=k, filters=filters, parse=not no_parse)
            return
        assert query is not None
        result = kb.search(query, k=k, filters=filters, parse=not no_parse)
    if as_json:
        print_json([hit.as_dict() for hit in result.hits])
        return
    constraints = ", ".join(result.filters.describe())
    if not result.hits:
        out.print(f"Nothing in the catalogue matches{' (' + constraints + ')' if constraints else ''}.")
        return
    title = f"{escape(query)}" + (f"  [dim]({escape(constraints)})[/dim]" if constraints else "")
    out.print(hits_table(result.hits, title=title))


def _batch(kb: KnowledgeBase, path: Path, *, k: int, filters: Filters, parse: bool) -> None:
    import sys

    if str(path) == "-":
        lines = sys.stdin.read().splitlines()
    else:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise typer.BadParameter(f"cannot read {path}: {exc}") from None
    for line in lines:
        query = line.strip()
        if not query:
            continue
        started = time.perf_counter()
        result = kb.search(query, k=k, filters=filters, parse=parse)
        took = (time.perf_counter() - started) * 1000
        print_json({"query": query, "results": [hit.as_dict() for hit in result.hits],
                    "filters": result.filters.describe(), "took_ms": round(took, 2)})
