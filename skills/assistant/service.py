"""The assistant: one message (or one button) from the acting user in, one renderer-neutral message out."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlmodel import Session

from core.errors import BadgerError
from knowledge.answer_llm import (
    DEFAULT_TIMEOUT_S,
    Answerer,
    chat_model,
    fallback_detail,
    fallback_kind,
    model_errors,
)
from skills.access import Actor
from skills.assistant import hostile, offline, rights_turns
from skills.assistant.agent import PROMPT, Agent
from skills.assistant.context import TurnContext
from skills.assistant.intents import Parsed
from skills.assistant.memory import ConversationKey, ThreadMemory, Turn
from skills.assistant.messages import Action, Context, Message, say
from skills.policy import Policy

if TYPE_CHECKING:
    from knowledge.base import KnowledgeBase

logger = logging.getLogger(__name__)
MAX_INPUT = 2000
FALLBACK_NOTE = "Answered without the language model (it was unavailable or its answer didn't check out)."


class Assistant:
    """Routes offline, or runs the tool-calling agent in LLM mode with the offline router as its fallback."""

    def __init__(self, kb: KnowledgeBase, *, memory: ThreadMemory, agent: Agent | None = None,
                 answerer: Answerer | None = None, policy: Policy | None = None) -> None:
        self.kb = kb
        self.memory = memory
        self.agent = agent
        self.offline_answerer = Answerer(kb)
        self.answerer = answerer or self.offline_answerer
        self.policy = policy or Policy.from_settings(kb.settings)

    @classmethod
    def from_settings(cls, kb: KnowledgeBase, *, memory: ThreadMemory, timeout: float = DEFAULT_TIMEOUT_S,
                      budget_s: float = 6.0) -> Assistant:
        """Offline without OPENAI_API_KEY; with it, the agent (for known users) and the LLM composer (for anyone)."""
        model = chat_model(kb.settings, timeout=timeout)
        if model is None:
            return cls(kb, memory=memory)
        return cls(kb, memory=memory, agent=Agent(model, budget_s=budget_s),
                   answerer=Answerer.from_settings(kb, timeout=timeout))

    @property
    def mode(self) -> str:
        """'llm' when a chat model is configured, else 'offline'."""
        return "llm" if self.agent is not None else "offline"

    def handle(self, *, actor: Actor | None, key: ConversationKey, text: str) -> Message:
        """Answer one message in its conversation, remembering the turn."""
        started = time.perf_counter()
        text = " ".join(text.split())[:MAX_INPUT]
        turns = self.memory.recent(key)
        with Session(self.kb.engine) as session:  # issue 17: refuse what no reply may satisfy, before any model
            refused = hostile.refusal(session, actor, text) or rights_turns.request_reply(session, actor, text)
            if refused is not None:
                session.commit()  # a data request is recorded; a refusal changed nothing
                ctx = TurnContext(self.kb, session, actor, turns, self.offline_answerer, self.policy)
                return self._remember(key, text, refused, ctx, started)
        fallback: str | None = None
        if self.agent is not None and actor is not None:
            with Session(self.kb.engine) as session:
                ctx = TurnContext(self.kb, session, actor, turns, self.offline_answerer, self.policy)
                try:
                    message = self.agent.run(ctx, text)
                except model_errors() as exc:
                    fallback = fallback_kind(exc)
                    logger.warning("agent.fallback kind=%s reason=%s after_ms=%.0f", fallback, fallback_detail(exc),
                                   (time.perf_counter() - started) * 1000)
                else:
                    message = hostile.screen(message, prompt=PROMPT)  # a fooled model still can't leak them
                    return self._remember(key, text, message, ctx, started)
                finally:
                    session.rollback()  # the agent only reads; changes wait for the user's button
        answerer = self.offline_answerer if fallback else self.answerer
        message, ctx = self._offline(actor, turns, answerer, lambda c: offline.run(c, text))
        if fallback:
            message.fallback = fallback
            message.blocks.append(Context(FALLBACK_NOTE))
        return self._remember(key, text, message, ctx, started)

    def perform(self, *, actor: Actor | None, key: ConversationKey, action: Action) -> Message:
        """Run a button the acting user pressed (its arguments are re-checked by the skills)."""
        started = time.perf_counter()
        turns = self.memory.recent(key)
        message, ctx = self._offline(actor, turns, self.offline_answerer, lambda c: offline.perform(c, action))
        return self._remember(key, f"[pressed {action.kind}]", message, ctx, started)

    def run(self, *, actor: Actor | None, key: ConversationKey, parsed: Parsed, said: str) -> Message:
        """Run an intent a surface parsed itself (a slash command), remembered like a message."""
        started = time.perf_counter()
        turns = self.memory.recent(key)
        message, ctx = self._offline(actor, turns, self.offline_answerer, lambda c: offline.dispatch(c, parsed))
        return self._remember(key, said[:MAX_INPUT], message, ctx, started)

    def _offline(self, actor: Actor | None, turns: list[Turn], answerer: Answerer,
                 run: Callable[[TurnContext], Message]) -> tuple[Message, TurnContext]:
        with Session(self.kb.engine) as session:
            ctx = TurnContext(self.kb, session, actor, turns, answerer, self.policy)
            try:
                message = run(ctx)
                session.commit()
            except BadgerError as exc:
                session.rollback()
                ctx.state.clear()
                message = say(str(exc), intent="error")
        return message, ctx

    def _remember(self, key: ConversationKey, text: str, message: Message, ctx: TurnContext, started: float) -> Message:
        self.memory.append(key, Turn(text, message.text, ctx.state))
        logger.info("turn intent=%s mode=%s fallback=%s citations=%d took_ms=%.0f", message.intent, message.mode,
                    bool(message.fallback), len(message.citations), (time.perf_counter() - started) * 1000)
        return message
