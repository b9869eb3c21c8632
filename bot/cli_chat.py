"""`badger chat` (the terminal conversation) and `badger ask` (one question, text or JSON)."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from rich.markup import escape

from bot.console import err, knowledge, out, print_json, user_errors

DEMO_USER = "U0DEMOLEO1"  # Leo Martins, a software engineer in the demo org


def chat(
    as_user: Annotated[str | None, typer.Option(
        "--as", help="Act as this person (Slack id or unique name); without it, an anonymous employee.")] = None,
) -> None:
    """Talk to Badger in the terminal: the same messages as Slack; type a number to press a button."""
    from bot.chat import TerminalChat, resolve_user

    kb = knowledge()
    with user_errors():
        actor, employee = resolve_user(kb, as_user)
        stats = kb.stats()
        session = TerminalChat.open(kb, actor, out)
    who = f"{escape(employee.name)} ({escape(employee.role or 'no role')})" if employee else "an anonymous employee"
    out.print(f"[bold]Badger[/bold] — {stats.active} credentials from {len(stats.by_provider)} providers; "
              f"you are {who}, {session.assistant.mode} mode. Try [italic]free python course for beginners[/italic], "
              "[italic]help[/italic]; type a number to press a button. [dim]Empty line or 'quit' to leave.[/dim]")
    with user_errors():
        session.loop()


def ask(
    question: Annotated[str, typer.Argument(help="Your question or request, in your own words.")],
    as_user: Annotated[str | None, typer.Option(
        "--as", help="Act as this person (Slack id or unique name); without it, an anonymous employee.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON: text, citations, actions, blocks.")] = False,
) -> None:
    """Ask Badger one thing and print the answer (grounded in the catalogue, with the ids it cites)."""
    from bot.chat import resolve_user
    from bot.render_terminal import render
    from skills.assistant.memory import ANONYMOUS, ConversationKey, InMemoryThreads
    from skills.assistant.service import Assistant

    kb = knowledge()
    with user_errors():
        actor, _ = resolve_user(kb, as_user)
        assistant = Assistant.from_settings(kb, memory=InMemoryThreads())
        key = ConversationKey(actor.user_id if actor else ANONYMOUS, "cli", uuid.uuid4().hex[:12])
        message = assistant.handle(actor=actor, key=key, text=question)
    if as_json:
        print_json(message.as_dict())
        return
    render(message, out)
    if message.intent == "error":
        err.print("[dim](nothing was changed)[/dim]")
