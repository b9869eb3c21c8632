"""Interoperability: openbadgeslib 4.6.3 (its own contexts, did:key resolved offline) verifies Badger's badges.

Run alone: `PYTHONPATH=. .venv/bin/python -m pytest tests/skills/issuing/test_interop.py -q`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openbadgeslib.ob3.ldp import OB3LdpVerifier
from openbadgeslib.ob3.verifier import OB3VerificationError, OB3Verifier
from sqlmodel import Session, select

from core.settings import Settings
from skills.issuing.identity import issuer_from_settings
from skills.issuing.models import IssuedCredential
from skills.issuing.service import Issuing, revoke, status_list_credential
from skills.recognition import ShoutoutPolicy, award
from tests.skills.factories import Org
from tests.skills.issuing.conftest import PUBLIC, issuer_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the library, not the database, is tested


def _issue(org: Org, settings: Settings) -> IssuedCredential:
    org.run(award, actor=org.mia, employee_id="UDANA", credential_id="lead-101",
            policy=ShoutoutPolicy(issuing=Issuing.from_settings(settings)))
    with Session(org.engine) as session:
        row = session.exec(select(IssuedCredential)).one()
        session.expunge(row)
        return row


def _downloader(org: Org, settings: Settings):  # type: ignore[no-untyped-def]
    def download(url: str) -> bytes:
        assert url.startswith(PUBLIC + "/status/"), url
        with Session(org.engine) as session:
            document = status_list_credential(session, issuer_from_settings(settings), int(url.rsplit("/", 1)[1]))
        return json.dumps(document).encode()
    return download


def test_openbadgeslib_verifies_a_data_integrity_badge_and_sees_it_revoked(
        self_org: Org, settings: Settings) -> None:
    row = _issue(self_org, settings)
    did = row.document["issuer"]["id"]
    verifier = OB3LdpVerifier.for_issuer_did(did)
    credential = verifier.verify(row.document, check_status=True, download=_downloader(self_org, settings),
                                 verify_status_list=False)
    assert credential.achievement.name == "Leading Teams" and credential.issuer.name == "Example Ltd"
    assert [a.target_framework for a in credential.achievement.alignments] == ["O*NET", "ESCO"]
    self_org.run(revoke, actor=self_org.ada, uid=row.uid, reason="awarded by mistake")
    with pytest.raises(OB3VerificationError, match="'revocation' is set at index 0"):
        verifier.verify(row.document, check_status=True, download=_downloader(self_org, settings),
                        verify_status_list=False)
    tampered = {**row.document, "name": "Something else"}
    with pytest.raises(OB3VerificationError):
        verifier.verify(tampered)


def test_openbadgeslib_verifies_a_vc_jwt_badge(self_org: Org, tmp_path: Path) -> None:
    settings = issuer_settings(tmp_path, badger_issuer_proof_format="vc-jwt")
    row = _issue(self_org, settings)
    assert row.token is not None
    credential = OB3Verifier.for_issuer_did(row.document["issuer"]["id"]).verify(row.token)
    assert credential.achievement.name == "Leading Teams"
    with pytest.raises(OB3VerificationError):
        OB3Verifier.for_issuer_did(row.document["issuer"]["id"]).verify(row.token[:-6] + "AAAAAA")
