"""The public badge routes served by a real uvicorn server on 127.0.0.1: DID document, pages, JSON, status lists."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.applications import Starlette

from bot.web.badges import routes
from core.db import init_db, make_engine
from knowledge.models import Credential
from skills.access import Actor
from skills.badges.fetch import Fetcher
from skills.badges.verify import verify_badge
from skills.issuing.identity import issuer_from_settings
from skills.issuing.models import IssuedCredential
from skills.issuing.service import Issuing, revoke
from skills.recognition import ShoutoutPolicy, award
from tests.skills.factories import make_org, set_email
from tests.skills.issuing.conftest import add_self_credential, issuer_settings


class Server:
    """uvicorn in a thread on an ephemeral port."""

    def __init__(self, app: Starlette) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite database with the standard org, a self-issued credential and Dana's email."""
    engine = make_engine(f"sqlite:///{tmp_path / 'badger.db'}")
    init_db(engine)
    org = make_org(engine)
    add_self_credential(org)
    set_email(engine, "UDANA", "dana@example.org")
    yield engine
    engine.dispose()


def _issue(engine: Engine, issuing: Issuing) -> IssuedCredential:
    with Session(engine) as session:
        award(session=session, actor=Actor("UMIA"), employee_id="UDANA", credential_id="lead-101",
              policy=ShoutoutPolicy(issuing=issuing))
        session.commit()
        row = session.exec(select(IssuedCredential)).one()
        session.expunge(row)
        return row


def test_credential_page_json_and_status_list_over_http(engine: Engine, tmp_path: Path) -> None:
    server = Server(Starlette(routes=[]))
    base = server.__enter__()  # the routes are swapped in below, once the public URL (with its port) is known
    try:
        settings = issuer_settings(tmp_path, badger_issuer_domain="badges.example.org", badger_public_url=base)
        server.server.config.app.router.routes.extend(routes(settings, engine))
        fetcher = Fetcher(origins={"https://badges.example.org": base}, allow_private=True)
        row = _issue(engine, Issuing(load=lambda: issuer_from_settings(settings), fetcher=fetcher))
        url = row.document["id"]
        assert url == f"{base}/credentials/{row.uid}"
        page = httpx.get(url)
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert "Leading Teams" in page.text and "Verified" in page.text and "Example Ltd" in page.text
        as_json = httpx.get(url, headers={"Accept": "application/ld+json"})
        assert as_json.json() == row.document
        did = httpx.get(f"{base}/.well-known/did.json").json()
        assert did["id"] == "did:web:badges.example.org" and len(did["verificationMethod"]) == 1
        result = verify_badge(url, fetcher=fetcher)  # Badger's verifier over HTTP: the page, did:web, status list
        assert result.valid, result.errors
        with Session(engine) as session:
            revoke(session, actor=Actor("UADA"), uid=row.uid, reason="issued in error")
            session.commit()
        assert "Revoked" in httpx.get(url).text
        assert verify_badge(url, fetcher=fetcher).errors == ["status: the issuer has revoked this credential"]
        assert httpx.get(f"{base}/credentials/nope").status_code == 404
        assert httpx.get(f"{base}/status/7").status_code == 404
    finally:
        server.__exit__()


def test_page_text_is_escaped(engine: Engine, tmp_path: Path) -> None:
    with Session(engine) as session:
        row = session.get(Credential, "lead-101")
        assert row is not None
        row.title = "<script>alert(1)</script>"
        session.add(row)
        session.commit()
    settings = issuer_settings(tmp_path)
    issued = _issue(engine, Issuing.from_settings(settings))
    with Server(Starlette(routes=routes(settings, engine))) as base:
        page = httpx.get(f"{base}/credentials/{issued.uid}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
