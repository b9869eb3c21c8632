"""The console served by a real uvicorn on 127.0.0.1:0, over the test catalogue and an org with a reporting chain."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlmodel import Session

from bot.web.console import build_console
from knowledge.base import KnowledgeBase
from skills.console.signin import make_link_token
from skills.models import Badge, Employee, Enrolment, EnrolmentEvent
from tests.knowledge.conftest import make_settings
from tests.skills.assistant.conftest import CATALOGUE, add_org

STARTED = datetime(2026, 9, 14, 10, 0, tzinfo=UTC)


class ServedApp:
    """An ASGI app served by uvicorn in a thread on a free loopback port."""

    def __init__(self, app: object) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                                    lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            assert self.thread.is_alive(), "uvicorn stopped while starting"
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        """Stop the server and wait for its thread."""
        self.server.should_exit = True
        self.thread.join(timeout=10)


def add_records(kb: KnowledgeBase) -> None:
    """Max directs Mia (so Dana and Erin are his indirect reports); Dana earned Python; Owen asked for Kubernetes."""
    with Session(kb.engine) as session:
        session.add(Employee(user_id="UMAX", name="Max Director", team="Platform", role="Director"))
        session.flush()
        mia = session.get(Employee, "UMIA")
        assert mia is not None
        mia.manager_id = "UMAX"
        session.add(mia)
        earned = Enrolment(employee_id="UDANA", credential_id="py-basics", state="earned", earned_at=STARTED,
                           badge_verified_at=STARTED, created_at=STARTED)
        asked = Enrolment(employee_id="UOWEN", credential_id="k8s-dev", state="approved", created_at=STARTED)
        session.add_all([earned, asked])
        session.flush()
        assert earned.id is not None and asked.id is not None
        for enrolment_id, actor, to_state in ((earned.id, "UDANA", "requested"), (earned.id, "UMIA", "approved"),
                                              (earned.id, "UDANA", "earned"), (asked.id, "UOWEN", "requested"),
                                              (asked.id, "UOMAR", "approved")):
            session.add(EnrolmentEvent(enrolment_id=enrolment_id, actor_id=actor, action="test", to_state=to_state,
                                       at=STARTED))
        session.add(Badge(employee_id="UDANA", fingerprint="f" * 64, format="ob2-hosted", achievement="Python Basics",
                          issuer="Northfield University", credential_id="py-basics", enrolment_id=earned.id,
                          skills=["Python Programming"], verified_at=STARTED))
        session.commit()


@dataclass
class Console:
    """The served console and what the tests need to sign people in."""

    url: str
    kb: KnowledgeBase

    def link(self, user_id: str) -> str:
        """A fresh one-time sign-in link for the person."""
        with Session(self.kb.engine) as session:
            token = make_link_token(session=session, settings=self.kb.settings, user_id=user_id)
        return f"{self.url}/login/link?token={token}"

    def sign_in(self, user_id: str) -> httpx.Client:
        """A browser-like client signed in as the person through a one-time link (form, CSRF cookie and all)."""
        client = httpx.Client(base_url=self.url, follow_redirects=False, timeout=30)
        form = client.get(self.link(user_id))
        assert form.status_code == 200, form.text
        fields = dict(re.findall(r'name="(csrf|token)" value="([^"]*)"', form.text))
        response = client.post("/login/link", data=fields)
        assert response.status_code == 303, response.text
        return client


def csrf_of(page: str) -> str:
    """The CSRF token in a page's forms."""
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _consoles(root: Callable[[], Path]) -> Iterator[Callable[..., Console]]:
    served: list[ServedApp] = []

    def _make(**settings: object) -> Console:
        kb = KnowledgeBase(make_settings(badger_data_dir=root() / "data", **settings))
        kb.load([CATALOGUE])
        add_org(kb)
        add_records(kb)
        app = ServedApp(build_console(kb.settings, kb.engine, kb))
        served.append(app)
        return Console(app.url, kb)

    yield _make
    for app in served:
        app.stop()


@pytest.fixture
def make_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Console]]:
    """Build and serve consoles over the test catalogue and org (SQLite unless a database_url is given)."""
    yield from _consoles(lambda: tmp_path_factory.mktemp("console"))


@pytest.fixture
def console(make_console: Callable[..., Console]) -> Console:
    """A console on SQLite, for a test that changes things."""
    return make_console()


@pytest.fixture(scope="module")
def shared_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """One console on SQLite for a module's read-only tests."""
    for make in _consoles(lambda: tmp_path_factory.mktemp("console")):
        yield make()
