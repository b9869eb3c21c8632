"""The terminal conversation: the same assistant and messages as Slack, in a REPL with numbered buttons."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from rich.console import Console
from sqlmodel import Session

from bot.render_terminal import render
from knowledge.base import KnowledgeBase
from skills.access import Actor
from skills.assistant.memory import ANONYMOUS, ConversationKey, DatabaseThreads, ThreadMemory
from skills.assistant.messages import Button, Message
from skills.assistant.resolve import one_person
from skills.assistant.service import Assistant
from skills.models import Employee

EXIT_WORDS = {"", "quit", "exit", "q", "bye"}


def resolve_user(kb: KnowledgeBase, who: str | None) -> tuple[Actor | None, Employee | None]:
    """The acting user for `--as` (a Slack id or a unique name); (None, None) for an anonymous employee."""
    if not who:
        return None, None
    with Session(kb.engine) as session:
        employee = one_person(session, who)
        session.expunge(employee)
        return Actor(employee.user_id), employee


@dataclass
class TerminalChat:
    """One terminal conversation: a thread of its own, the user's last message's buttons to pick from."""

    assistant: Assistant
    actor: Actor | None
    console: Console
    key: ConversationKey = field(default_factory=lambda: ConversationKey(ANONYMOUS))
    buttons: list[Button] = field(default_factory=list)

    @classmethod
    def open(cls, kb: KnowledgeBase, actor: Actor | None, console: Console,
             memory: ThreadMemory | None = None) -> TerminalChat:
        """A chat in a new terminal thread, remembered in the database."""
        assistant = Assistant.from_settings(kb, memory=memory or DatabaseThreads(kb.engine))
        key = ConversationKey(actor.user_id if actor else ANONYMOUS, "terminal", uuid.uuid4().hex[:12])
        return cls(assistant, actor, console, key)

    def send(self, line: str) -> Message:
        """One line from the user: a number picks a button of the last message, anything else is a message."""
        line = line.strip()
        if line.isdigit() and 1 <= int(line) <= len(self.buttons):
            message = self.assistant.perform(actor=self.actor, key=self.key, action=self.buttons[int(line) - 1].action)
        else:
            message = self.assistant.handle(actor=self.actor, key=self.key, text=line)
        self.buttons = render(message, self.console)
        return message

    def loop(self) -> None:
        """Read lines until an empty line, 'quit' or end of input."""
        while True:
            try:
                line = self.console.input("[bold cyan]you>[/bold cyan] ")
            except EOFError:
                self.console.print()
                break
            if line.strip().lower() in EXIT_WORDS:
                break
            self.send(line)
        self.console.print("Bye!")
