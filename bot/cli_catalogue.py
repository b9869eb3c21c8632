"""`badger catalogue ...`: load, stats, reindex."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from bot.console import err, knowledge, out, print_json, progress_bar, user_errors

app = typer.Typer(help="Load, inspect and re-index the credential catalogue.", no_args_is_help=True)
MAX_ISSUES_SHOWN = 50


@app.command("load")
def load(
    paths: Annotated[list[Path], typer.Argument(help="Catalogue files: .yaml/.yml, .json, .jsonl or .csv.")],
    replace: Annotated[bool, typer.Option(help="Retire entries that vanished from these files.")] = False,
    skip_invalid: Annotated[bool, typer.Option(help="Load the valid records and report the rest.")] = False,
    map_: Annotated[list[str] | None, typer.Option(
        "--map", metavar="FIELD=COLUMN",
        help="Read a canonical FIELD from another COLUMN (foreign CSVs); COL1+COL2 builds an id slug.")] = None,
    default: Annotated[list[str] | None, typer.Option(
        "--default", metavar="FIELD=VALUE", help="Fill FIELD with VALUE where a record lacks it.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the load report as JSON.")] = False,
) -> None:
    """Load catalogue files: all-or-nothing unless --skip-invalid; only new or changed entries are embedded."""
    from knowledge.catalogue import CatalogueLoadError
    from knowledge.loaders import FieldMap

    try:
        field_map = FieldMap.parse(map_, default)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    kb = knowledge()
    with user_errors(), progress_bar(not as_json and err.is_terminal) as progress:
        try:
            report = kb.load(paths, field_map=field_map, replace=replace, skip_invalid=skip_invalid, progress=progress)
        except CatalogueLoadError as exc:
            for issue in exc.issues[:MAX_ISSUES_SHOWN]:
                err.print(f"[red]✗[/red] {escape(str(issue))}")
            if len(exc.issues) > MAX_ISSUES_SHOWN:
                err.print(f"… and {len(exc.issues) - MAX_ISSUES_SHOWN} more")
            err.print(f"[red]{escape(str(exc))}[/red]. Fix the records, or load the valid ones with --skip-invalid.")
            raise typer.Exit(1) from None
    if as_json:
        print_json(report.as_dict())
        return
    for issue in report.skipped:
        err.print(f"[yellow]skipped[/yellow] {escape(str(issue))}")
    out.print(
        f"[green]Loaded[/green] {report.records} records from {report.files} file(s): {report.added} added, "
        f"{report.updated} updated, {report.unchanged} unchanged, {report.reactivated} reactivated, "
        f"{report.retired} retired; {report.embedded} embedded"
        + (f"; {len(report.skipped)} skipped" if report.skipped else "") + "."
    )


@app.command("stats")
def stats(as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """Counts by provider and level, the embedding model, the index size."""
    with user_errors():
        result = knowledge().stats()
    if as_json:
        print_json(result.as_dict())
        return
    out.print(f"[bold]{result.active}[/bold] active credentials, {result.retired} retired")
    out.print(f"Embedding model: index built with [bold]{result.embedding_model or '(empty index)'}[/bold]; "
              f"configured {result.configured_model}")
    size = f", {result.index_bytes / 1e6:.1f} MB on disk" if result.index_bytes else ""
    out.print(f"Index: {result.index_vectors} vectors at {escape(result.index_location)}{size}")
    for title, counts in (("Provider", result.by_provider), ("Level", result.by_level)):
        table = Table(title=f"By {title.lower()}")
        table.add_column(title)
        table.add_column("Credentials", justify="right")
        for name, count in list(counts.items())[:25]:
            table.add_row(escape(name), str(count))
        if len(counts) > 25:
            table.add_row(f"… {len(counts) - 25} more", "")
        out.print(table)


@app.command("reindex")
def reindex() -> None:
    """Rebuild the search index from the database with the configured embedding model."""
    kb = knowledge()
    with user_errors(), progress_bar(err.is_terminal) as progress:
        count = kb.reindex(progress=progress)
    out.print(f"[green]Re-indexed[/green] {count} credentials with {kb.model_name}.")


@app.command("hide")
def hide(credential_id: Annotated[str, typer.Argument(help="The entry's id.")]) -> None:
    """Take an entry out of search (it stays in the catalogue and in people's records)."""
    _set_hidden(credential_id, hidden=True)


@app.command("unhide")
def unhide(credential_id: Annotated[str, typer.Argument(help="The entry's id.")]) -> None:
    """Put a hidden entry back into search."""
    _set_hidden(credential_id, hidden=False)


def _set_hidden(credential_id: str, *, hidden: bool) -> None:
    from knowledge.hiding import set_hidden

    with user_errors():
        try:
            changed = set_hidden(knowledge().engine, credential_id, hidden=hidden)
        except ValueError as exc:
            err.print(f"[red]{escape(str(exc))}[/red]")
            raise typer.Exit(1) from None
    state = "hidden from search" if hidden else "back in search"
    out.print(f"{escape(credential_id)} is {state}" + ("" if changed else " (it already was)"))
