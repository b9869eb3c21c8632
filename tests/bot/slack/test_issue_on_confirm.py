"""A manager's "Confirm earned" click in Slack issues the Open Badge (the served app reads the issuer settings)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session, select

from bot.slack.blocks import to_blocks
from bot.slack.notices import completion
from knowledge.models import Credential
from skills.issuing.keyring import init_keys
from skills.issuing.models import IssuedCredential
from skills.models import Employee, Enrolment, State
from tests.bot.slack.conftest import SlackWorld


def test_confirm_earned_issues_the_badge(make_slack_world: Callable[..., SlackWorld], tmp_path: Path) -> None:
    key = tmp_path / "issuer-keys.json"
    init_keys(key)
    world = make_slack_world(badger_issuer_name="Example Ltd", badger_public_url="https://badges.example.org",
                             badger_issuer_key_path=key)
    with Session(world.kb.engine) as session:
        session.add(Credential(id="inhouse-leading-teams", title="Leading Teams", provider="Example Ltd",
                               content_hash="x", embed_hash="x", extra={"issued_by": "self"}))
        dana = session.get(Employee, "UDANA")
        assert dana is not None
        dana.email = "dana@example.org"
        session.add(dana)
        enrolment = Enrolment(employee_id="UDANA", credential_id="inhouse-leading-teams", state=State.COMPLETED.value,
                              percent=100)
        session.add(enrolment)
        session.commit()
        card = to_blocks(completion({"employee_name": "Dana", "credential_title": "Leading Teams",
                                     "enrolment_id": enrolment.id}), feedback=False)
    world.press("UMIA", {"blocks": card, "channel": "DMIA", "ts": "1.0"}, "Confirm earned")

    def issued() -> list[IssuedCredential]:
        with Session(world.kb.engine) as session:
            return list(session.exec(select(IssuedCredential)))

    [row] = world.wait(issued)
    assert row.employee_id == "UDANA" and row.document["issuer"]["name"] == "Example Ltd"
    assert row.document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
