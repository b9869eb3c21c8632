"""`badger demo`: load the bundled demo data and open the terminal chat."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.cli_search import chat
from bot.console import err, knowledge, out, progress_bar, user_errors

DEMO_CATALOGUE = Path(__file__).resolve().parent.parent / "knowledge" / "demo" / "catalogue.yaml"


def demo(
    load_only: bool = typer.Option(False, "--load-only", help="Load the demo data, then exit."),
) -> None:
    """Load the demo catalogue (quick when unchanged) and start the terminal chat."""
    kb = knowledge()
    with user_errors(), progress_bar(err.is_terminal) as progress:
        report = kb.load([DEMO_CATALOGUE], replace=True, progress=progress)
    out.print(f"Demo catalogue ready: {report.records} credentials ({report.embedded} newly embedded).")
    if not load_only:
        chat()
