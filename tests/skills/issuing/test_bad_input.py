"""Bad input: a clear error naming what to fix, and nothing half-issued (no badge, no EARNED, no notices)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlmodel import Session, select

from core.errors import BadgerError, NotFoundError
from core.settings import Settings
from skills.badges.fetch import Fetcher
from skills.errors import PermissionDenied
from skills.issuing.identity import issuer_from_settings, refuse_exposed_key
from skills.issuing.keyring import init_keys, rotate_keys
from skills.issuing.models import IssuedCredential
from skills.issuing.service import Issuing, LocalFetcher, get_issued, revoke, verify_issued
from skills.models import Enrolment, Notice
from skills.recognition import ShoutoutPolicy, award
from tests.skills.factories import Org, set_email
from tests.skills.issuing.conftest import add_self_credential, issuer_settings


def _nothing_written(org: Org) -> None:
    with Session(org.engine) as session:
        assert session.exec(select(IssuedCredential)).all() == []
        assert session.exec(select(Enrolment)).all() == []
        assert session.exec(select(Notice)).all() == []


def _award_fails(org: Org, policy: ShoutoutPolicy) -> str:
    with pytest.raises(BadgerError) as caught:
        org.run(award, actor=org.mia, employee_id="UDANA", credential_id="lead-101", policy=policy)
    _nothing_written(org)
    return str(caught.value)


def test_a_person_without_an_email_gets_no_badge_and_the_award_is_not_recorded(
        org: Org, policy: ShoutoutPolicy) -> None:
    add_self_credential(org)
    assert "Dana has no email address in Badger" in _award_fails(org, policy)


def test_a_missing_key_names_the_command_that_makes_one(self_org: Org, tmp_path: Path) -> None:
    settings = issuer_settings(tmp_path, badger_issuer_key_path=tmp_path / "nowhere.json")
    message = _award_fails(self_org, ShoutoutPolicy(issuing=Issuing.from_settings(settings)))
    assert "nowhere.json does not exist: run `badger issuer init`" in message


def test_a_key_readable_by_others_is_refused_by_issuing_and_serving(self_org: Org, settings: Settings) -> None:
    os.chmod(settings.issuer_key_path, 0o644)
    message = _award_fails(self_org, ShoutoutPolicy(issuing=Issuing.from_settings(settings)))
    assert f"is readable by others (mode 644): run `chmod 600 {settings.issuer_key_path}`" in message
    with pytest.raises(BadgerError, match="readable by others"):
        refuse_exposed_key(settings)


def test_an_unreadable_key_file_is_named(self_org: Org, tmp_path: Path) -> None:
    key = tmp_path / "broken.json"
    key.write_text("not json")
    key.chmod(0o600)
    message = _award_fails(self_org, ShoutoutPolicy(issuing=Issuing.from_settings(
        issuer_settings(tmp_path, badger_issuer_key_path=key))))
    assert "broken.json is not a Badger key file" in message


def test_a_did_web_domain_with_no_document_served_is_named(self_org: Org, tmp_path: Path) -> None:
    settings = issuer_settings(tmp_path, badger_issuer_domain="badges.example.invalid")
    issuing = Issuing(load=lambda: issuer_from_settings(settings), fetcher=Fetcher(timeout=2))
    message = _award_fails(self_org, ShoutoutPolicy(issuing=issuing))
    assert "https://badges.example.invalid/.well-known/did.json" in message
    assert "serve it with `badger serve --http` behind https://badges.example.invalid" in message


def test_no_issuer_settings_names_them(self_org: Org, tmp_path: Path) -> None:
    settings = issuer_settings(tmp_path, badger_issuer_name="")
    assert "set BADGER_ISSUER_NAME" in _award_fails(self_org, ShoutoutPolicy(issuing=Issuing.from_settings(settings)))
    assert "not set up to issue badges" in _award_fails(self_org, ShoutoutPolicy())


def test_unknown_badges_and_strangers_are_refused(self_org: Org, policy: ShoutoutPolicy) -> None:
    self_org.run(award, actor=self_org.mia, employee_id="UDANA", credential_id="lead-101", policy=policy)
    with Session(self_org.engine) as session:
        with pytest.raises(NotFoundError, match="Badger issued no badge with the id nope"):
            get_issued(session, "nope")
        uid = session.exec(select(IssuedCredential.uid)).one()
        with pytest.raises(PermissionDenied, match="Only Dana's manager or an L&D admin"):
            revoke(session, actor=self_org.owen, uid=uid, reason="no")


def test_rotation_keeps_old_badges_verifying(org: Org, tmp_path: Path) -> None:
    add_self_credential(org)
    add_self_credential(org, "lead-201")
    set_email(org.engine, "UDANA", "dana@example.org")
    settings = issuer_settings(tmp_path, badger_issuer_domain="badges.example.org")

    def issue(cid: str) -> None:
        with Session(org.engine) as session:  # the DID document as `badger serve --http` would serve it
            served = LocalFetcher(session, issuer_from_settings(settings))
            org.run(award, actor=org.mia, employee_id="UDANA", credential_id=cid,
                    policy=ShoutoutPolicy(issuing=Issuing(load=lambda: issuer_from_settings(settings), fetcher=served)))

    issue("lead-101")
    rotate_keys(settings.issuer_key_path)
    issue("lead-201")
    issuer = issuer_from_settings(settings)
    with Session(org.engine) as session:
        rows = list(session.exec(select(IssuedCredential).order_by(IssuedCredential.seq)))  # type: ignore[arg-type]
        methods = [r.document["proof"]["verificationMethod"] for r in rows]
        assert methods[0] != methods[1] and all(m.startswith("did:web:badges.example.org#key-") for m in methods)
        assert [verify_issued(session, issuer, r).errors for r in rows] == [[], []]


def test_init_refuses_to_overwrite_and_writes_mode_600(tmp_path: Path) -> None:
    key = tmp_path / "k" / "issuer-keys.json"
    init_keys(key)
    assert key.stat().st_mode & 0o777 == 0o600
    with pytest.raises(BadgerError, match="already exists; use `badger issuer rotate`"):
        init_keys(key)
    assert "private" not in repr(issuer_from_settings(issuer_settings(tmp_path, badger_issuer_key_path=key)).keys)
