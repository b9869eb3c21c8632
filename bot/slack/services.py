"""What every listener needs: the settings, the knowledge base, the assistant; built once per process."""

from __future__ import annotations

import gc
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from core.settings import Settings
from knowledge.base import KnowledgeBase
from skills.assistant.memory import DatabaseThreads
from skills.assistant.service import Assistant


@dataclass
class Services:
    """The process's shared objects (thread-safe: each call opens its own session)."""

    settings: Settings
    kb: KnowledgeBase
    assistant: Assistant

    @classmethod
    def build(cls, settings: Settings, kb: KnowledgeBase | None = None) -> Services:
        """Services over the configured database and index (offline, or LLM mode with OPENAI_API_KEY)."""
        kb = kb or KnowledgeBase(settings)
        return cls(settings, kb, Assistant.from_settings(kb, memory=DatabaseThreads(kb.engine)))

    def warm_up(self) -> None:
        """Load the model and the lexical index now (the first question isn't the slow one), then freeze the heap."""
        if self.kb.stats().active:
            self.kb.search("getting started", k=1)
        # Everything loaded so far lives as long as the process: moved out of the collector's sight, a full
        # collection triggered by answer work no longer walks it while acks wait for the GIL (bench_slack).
        gc.collect()
        gc.freeze()

    @property
    def engine(self) -> Engine:
        """The database engine."""
        return self.kb.engine
