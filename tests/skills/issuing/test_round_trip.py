"""Every badge Badger issues verifies with Badger's own verifier, offline; revoked and tampered copies fail."""

from __future__ import annotations

import copy
import json

import pytest
from sqlmodel import Session, select

from core.settings import Settings
from skills.badges.credential_schema import schema_problems
from skills.badges.importing import match_recipient
from skills.badges.verify import verify_badge
from skills.issuing.identity import issuer_from_settings
from skills.issuing.models import IssuedCredential
from skills.issuing.service import LocalFetcher, revoke, verify_issued
from skills.models import Notice
from skills.notices import Kind
from skills.recognition import ShoutoutPolicy, award
from tests.skills.factories import Org


def _award(org: Org, policy: ShoutoutPolicy, cid: str = "lead-101") -> IssuedCredential:
    org.run(award, actor=org.mia, employee_id="UDANA", credential_id=cid, policy=policy)
    with Session(org.engine) as session:
        row = session.exec(select(IssuedCredential)).one()
        session.expunge(row)
        return row


def _verify(org: Org, settings: Settings, document: dict[str, object] | str) -> list[str]:
    with Session(org.engine) as session:
        text = document if isinstance(document, str) else json.dumps(document)
        result = verify_badge(text, fetcher=LocalFetcher(session, issuer_from_settings(settings)))
        return result.errors if result.checks else ["no checks"]


def test_awarding_a_self_issued_credential_issues_one_badge_that_verifies(
        self_org: Org, settings: Settings, policy: ShoutoutPolicy) -> None:
    row = _award(self_org, policy)
    again = self_org.run(award, actor=self_org.mia, employee_id="UDANA", credential_id="lead-101", policy=policy)
    assert again.state == "earned"
    with Session(self_org.engine) as session:
        assert len(session.exec(select(IssuedCredential)).all()) == 1
        result = verify_issued(session, issuer_from_settings(settings), row)
        kinds = [n.kind for n in session.exec(select(Notice))]
    assert result.valid, result.errors
    assert [c.name for c in result.checks] == ["parse", "context", "schema", "credential_schema", "proof", "status",
                                               "validity", "endorsements"]
    assert result.issuer == "Example Ltd" and result.achievement == "Leading Teams"
    assert match_recipient(result, "dana@example.org") is None  # the hashed email is Dana's
    assert match_recipient(result, "erin@example.org") is not None
    assert kinds.count(Kind.BADGE_ISSUED) == 1 and Kind.SHOUTOUT in kinds
    assert schema_problems(row.document, "ob_v3p0_achievementcredential.json") == []  # 1EdTech's JSON Schema
    achievement = row.document["credentialSubject"]["achievement"]
    assert {a["targetName"]: a["targetFramework"] for a in achievement["alignment"]} == {
        "Active Listening": "O*NET", "Data Analysis": "ESCO"}  # "Zen" is in neither taxonomy


def test_partner_credentials_are_not_issued(self_org: Org, policy: ShoutoutPolicy) -> None:
    self_org.run(award, actor=self_org.mia, employee_id="UDANA", credential_id="py-101", policy=policy)
    with Session(self_org.engine) as session:
        assert session.exec(select(IssuedCredential)).all() == []


def test_a_revoked_badge_fails_the_status_check(self_org: Org, settings: Settings, policy: ShoutoutPolicy) -> None:
    row = _award(self_org, policy)
    assert _verify(self_org, settings, row.document) == []
    self_org.run(revoke, actor=self_org.ada, uid=row.uid, reason="awarded by mistake")
    assert _verify(self_org, settings, row.document) == ["status: the issuer has revoked this credential"]


@pytest.mark.parametrize("tamper", ["name", "recipient", "issuer", "proof"])
def test_a_tampered_copy_fails(self_org: Org, settings: Settings, policy: ShoutoutPolicy, tamper: str) -> None:
    document = copy.deepcopy(_award(self_org, policy).document)
    subject = document["credentialSubject"]
    if tamper == "name":
        subject["achievement"]["name"] = "Leading Nations"
    elif tamper == "recipient":
        subject["identifier"][0]["identityHash"] = "sha256$" + "0" * 64
    elif tamper == "issuer":
        document["issuer"]["name"] = "Another Ltd"
    else:
        document["proof"]["proofValue"] = document["proof"]["proofValue"][:-4] + "1111"
    errors = _verify(self_org, settings, document)
    assert errors and errors[0].startswith("proof:"), errors


def test_vc_jwt_badges_verify_too(self_org: Org, tmp_path: object) -> None:
    from pathlib import Path

    from skills.issuing.service import Issuing
    from tests.skills.issuing.conftest import issuer_settings

    settings = issuer_settings(Path(str(tmp_path)), badger_issuer_proof_format="vc-jwt")
    row = _award(self_org, ShoutoutPolicy(issuing=Issuing.from_settings(settings)))
    assert row.token is not None and row.token.count(".") == 2
    assert _verify(self_org, settings, row.token) == []
    assert _verify(self_org, settings, row.token[:-6] + "AAAAAA")[0].startswith("proof:")


def test_validity_from_the_catalogue(org: Org, settings: Settings, policy: ShoutoutPolicy) -> None:
    from tests.skills.factories import set_email
    from tests.skills.issuing.conftest import add_self_credential

    add_self_credential(org, "lead-101", valid_for_days=730)
    add_self_credential(org, "lapsed", valid_until="2020-01-01")
    set_email(org.engine, "UDANA", "dana@example.org")
    org.run(award, actor=org.mia, employee_id="UDANA", credential_id="lead-101", policy=policy)
    org.run(award, actor=org.mia, employee_id="UDANA", credential_id="lapsed", policy=policy)
    with Session(org.engine) as session:
        current, lapsed = session.exec(select(IssuedCredential).order_by(IssuedCredential.seq)).all()  # type: ignore[arg-type]
    years = int(current.document["validUntil"][:4]) - int(current.document["validFrom"][:4])
    assert years == 2 and _verify(org, settings, current.document) == []
    assert _verify(org, settings, lapsed.document) == ["validity: the credential expired on 2020-01-01"]


def test_revoking_keeps_the_shoutout(self_org: Org, policy: ShoutoutPolicy) -> None:
    row = _award(self_org, policy)
    with Session(self_org.engine) as session:
        before = [(n.id, n.kind, n.status) for n in session.exec(select(Notice))]
    self_org.run(revoke, actor=self_org.ada, uid=row.uid, reason="awarded by mistake")
    self_org.run(revoke, actor=self_org.mia, uid=row.uid, reason="second thoughts")  # keeps the first reason
    with Session(self_org.engine) as session:
        assert [(n.id, n.kind, n.status) for n in session.exec(select(Notice))] == before
        again = session.exec(select(IssuedCredential)).one()
    assert again.revocation_reason == "awarded by mistake" and again.revoked_by == "UADA"
