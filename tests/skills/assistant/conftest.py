"""Fixtures for the conversation tests: a small catalogue, a small org, and the assistant over them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from knowledge.base import KnowledgeBase
from skills.access import Actor
from skills.assistant.memory import ConversationKey, InMemoryThreads, ThreadMemory
from skills.assistant.messages import Message
from skills.assistant.service import Assistant
from skills.models import Employee, Enrolment, Notice, RoleSkill
from skills.normalise import normalise_role, normalise_skill
from tests.fakes.openai_server import FakeOpenAI
from tests.knowledge.conftest import make_settings

CATALOGUE = Path(__file__).resolve().parent / "catalogue.yaml"


@dataclass
class World:
    """A knowledge base with the test catalogue and org; helpers to talk and to read the records."""

    kb: KnowledgeBase
    assistant: Assistant
    dana: Actor = field(default_factory=lambda: Actor("UDANA"))  # software engineer, reports to Mia
    erin: Actor = field(default_factory=lambda: Actor("UERIN"))  # reports to Mia
    mia: Actor = field(default_factory=lambda: Actor("UMIA"))  # manager of Dana and Erin
    omar: Actor = field(default_factory=lambda: Actor("UOMAR"))  # manages Owen
    ada: Actor = field(default_factory=lambda: Actor("UADA"))  # L&D admin

    def say(self, actor: Actor | None, text: str, *, thread: str = "t1", channel: str = "D1") -> Message:
        """One message from the actor in a thread."""
        user = actor.user_id if actor else "anonymous"
        return self.assistant.handle(actor=actor, key=ConversationKey(user, channel, thread), text=text)

    def press(self, actor: Actor | None, message: Message, label: str, *, thread: str = "t1") -> Message:
        """Press the button whose label starts with `label`."""
        button = next(b for b in message.buttons() if b.label.startswith(label))
        user = actor.user_id if actor else "anonymous"
        return self.assistant.perform(actor=actor, key=ConversationKey(user, "D1", thread), action=button.action)

    def enrolments(self) -> list[Enrolment]:
        """Every enrolment row."""
        with Session(self.kb.engine) as session:
            return list(session.exec(select(Enrolment).order_by(col(Enrolment.id))))

    def notices(self) -> list[Notice]:
        """Every outbox row."""
        with Session(self.kb.engine) as session:
            return list(session.exec(select(Notice)))


def add_org(kb: KnowledgeBase) -> None:
    """Mia manages Dana and Erin; Omar manages Owen; Ada is an admin; software engineers need Python and Kubernetes."""
    with Session(kb.engine) as session:
        session.add(Employee(user_id="UADA", name="Ada Admin", is_admin=True, role="L&D Lead"))
        session.add(Employee(user_id="UMIA", name="Mia Manager", team="Platform", role="Engineering Manager"))
        session.add(Employee(user_id="UOMAR", name="Omar Other", team="Data", role="Data Science Manager"))
        session.flush()
        for uid, name, manager in (("UDANA", "Dana Dev", "UMIA"), ("UERIN", "Erin Eng", "UMIA"),
                                   ("UOWEN", "Owen Data", "UOMAR")):
            session.add(Employee(user_id=uid, name=name, team="Platform", manager_id=manager, role="Software Engineer"))
        for position, skill in enumerate(("Python Programming", "Kubernetes")):
            session.add(RoleSkill(role_key=normalise_role("Software Engineer"), skill_key=normalise_skill(skill),
                                  role="Software Engineer", skill=skill, position=position))
        session.commit()


@pytest.fixture
def make_world(tmp_path: Path) -> Callable[..., World]:
    """Build the world: offline by default; pass openai_base_url (and a key) for LLM mode."""

    def _make(*, memory: ThreadMemory | None = None, timeout: float = 2.0, budget_s: float = 3.0,
              **settings: Any) -> World:
        kb = KnowledgeBase(make_settings(badger_data_dir=tmp_path / "data", **settings))
        kb.load([CATALOGUE])
        add_org(kb)
        assistant = Assistant.from_settings(kb, memory=memory or InMemoryThreads(), timeout=timeout,
                                            budget_s=budget_s)
        return World(kb, assistant)

    return _make


@pytest.fixture
def world(make_world: Callable[..., World]) -> World:
    """The offline world."""
    return make_world()


@pytest.fixture
def llm_world(make_world: Callable[..., World], fake_openai: FakeOpenAI) -> World:
    """The world in LLM mode against the fake server."""
    return make_world(openai_api_key="sk-test-123", openai_base_url=fake_openai.base_url)
