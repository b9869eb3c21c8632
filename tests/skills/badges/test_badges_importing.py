"""The import_badge skill: verify, match the recipient, record once, link the catalogue, credit skills."""

from __future__ import annotations

import json
import threading

import pytest
from sqlmodel import Session, select

from skills.badges.fetch import Fetcher
from skills.badges.importing import BadgeImport, BadgeNotVerified, RecipientMismatch, employee_badges, import_badge
from skills.enrolment import enrol
from skills.errors import PermissionDenied
from skills.models import Badge, Employee, Enrolment, EnrolmentEvent, State
from skills.policy import Policy
from tests.blocking import wait_until_blocked
from tests.skills.badges.badge_helpers import credential, email_identifier, sign_di, sign_jwt
from tests.skills.factories import Org

OFFLINE = Fetcher(offline=True)
PY = dict(name="Python for Everybody", achievement_id="urn:uuid:not-in-catalogue", issuer_name="Test University")


@pytest.fixture
def org_with_emails(org: Org) -> Org:
    with Session(org.engine) as session:
        emails = (("UDANA", "dana@example.com"), ("UERIN", "erin@example.com"), ("UADA", "ada@example.com"))
        for user_id, email in emails:
            employee = session.get(Employee, user_id)
            assert employee is not None
            employee.email = email
            session.add(employee)
        session.commit()
    return org


def badge_for(email: str = "dana@example.com", **kwargs: str) -> str:
    return json.dumps(sign_di(credential(email=email, **{**PY, **kwargs})))


def test_an_employee_imports_their_badge_and_it_links_to_the_catalogue(org_with_emails: Org) -> None:
    org = org_with_emails
    done = org.run(import_badge, actor=org.dana, source=badge_for(), fetcher=OFFLINE)
    assert done.created and done.verification.valid
    badge = done.badge
    assert (badge.employee_id, badge.credential_id, badge.format) == ("UDANA", "py-101", "ob3-di")
    assert badge.skills == ["Python Programming", "Data Structures", "Unit Testing"]
    with Session(org.engine) as session:
        enrolment = session.get(Enrolment, badge.enrolment_id)
        assert enrolment is not None and enrolment.state == State.EARNED
        assert enrolment.badge_verified_at is not None and enrolment.percent == 100
        events = session.exec(select(EnrolmentEvent).where(EnrolmentEvent.enrolment_id == enrolment.id)).all()
        assert [(e.action, e.to_state) for e in events] == [("earn", "earned")]


def test_reimport_changes_nothing(org_with_emails: Org) -> None:
    org = org_with_emails
    source = badge_for()
    first = org.run(import_badge, actor=org.dana, source=source, fetcher=OFFLINE)
    again = org.run(import_badge, actor=org.dana, source=source, fetcher=OFFLINE)
    assert not again.created and again.badge.id == first.badge.id
    with Session(org.engine) as session:
        assert len(session.exec(select(Badge)).all()) == 1
        assert len(session.exec(select(EnrolmentEvent)).all()) == 1


def test_the_same_credential_as_a_jwt_is_also_recorded_once_per_format_family(org_with_emails: Org) -> None:
    org = org_with_emails
    document = sign_di(credential(email="dana@example.com", **PY))
    org.run(import_badge, actor=org.dana, source=json.dumps(document), fetcher=OFFLINE)
    again = org.run(import_badge, actor=org.dana, source=sign_jwt(credential(email="dana@example.com", **PY)),
                    fetcher=OFFLINE)
    assert not again.created


def test_an_active_enrolment_is_finished_by_the_badge(org_with_emails: Org) -> None:
    org = org_with_emails
    enrolment = org.run(enrol, actor=org.dana, credential_id="py-101", policy=Policy())
    done = org.run(import_badge, actor=org.dana, source=badge_for(), fetcher=OFFLINE)
    assert done.badge.enrolment_id == enrolment.id
    with Session(org.engine) as session:
        row = session.get(Enrolment, enrolment.id)
        assert row is not None and row.state == State.EARNED and row.badge_verified_at is not None


def test_a_badge_not_in_the_catalogue_is_recorded_with_its_own_skills(org_with_emails: Org) -> None:
    org = org_with_emails
    done = org.run(import_badge, actor=org.dana, source=badge_for(name="Rust Basics"), fetcher=OFFLINE)
    assert done.badge.credential_id is None and done.badge.enrolment_id is None
    assert done.badge.skills == ["Unit Testing"]


def test_matching_by_achievement_id(org_with_emails: Org) -> None:
    org = org_with_emails
    done = org.run(import_badge, actor=org.dana, source=badge_for(name="Something else", achievement_id="ml-intro"),
                   fetcher=OFFLINE)
    assert done.badge.credential_id == "ml-intro"


def test_another_persons_badge_is_refused_with_the_reason(org_with_emails: Org) -> None:
    org = org_with_emails
    with pytest.raises(RecipientMismatch, match="issued to another email address"):
        org.run(import_badge, actor=org.dana, source=badge_for("erin@example.com"), fetcher=OFFLINE)


def test_a_badge_naming_its_recipient_by_a_did_is_refused_with_the_reason(org_with_emails: Org) -> None:
    org = org_with_emails
    document = credential(**PY)
    document["credentialSubject"]["identifier"] = []
    document["credentialSubject"]["id"] = "did:example:123"
    with pytest.raises(RecipientMismatch, match="by id"):
        org.run(import_badge, actor=org.dana, source=json.dumps(sign_di(document)), fetcher=OFFLINE)


def test_a_plain_email_recipient_matches_case_insensitively(org_with_emails: Org) -> None:
    org = org_with_emails
    document = credential(**PY)
    document["credentialSubject"]["identifier"] = [
        {**email_identifier("x"), "identityHash": "Dana@Example.com", "hashed": False, "salt": None}
    ]
    del document["credentialSubject"]["identifier"][0]["salt"]
    assert org.run(import_badge, actor=org.dana, source=json.dumps(sign_di(document)), fetcher=OFFLINE).created


def test_an_unverified_badge_is_refused_with_its_checks(org_with_emails: Org) -> None:
    org = org_with_emails
    document = json.loads(badge_for())
    document["credentialSubject"]["achievement"]["name"] = "Python for Everybodx"
    with pytest.raises(BadgeNotVerified) as raised:
        org.run(import_badge, actor=org.dana, source=json.dumps(document), fetcher=OFFLINE)
    assert raised.value.verification.failed == "proof"
    with Session(org.engine) as session:
        assert session.exec(select(Badge)).all() == []


def test_an_admin_imports_for_someone_else(org_with_emails: Org) -> None:
    org = org_with_emails
    done = org.run(import_badge, actor=org.ada, user_id="UDANA", source=badge_for(), fetcher=OFFLINE)
    assert done.badge.employee_id == "UDANA"


def test_an_employee_cannot_import_for_someone_else(org_with_emails: Org) -> None:
    org = org_with_emails
    with pytest.raises(PermissionDenied):
        org.run(import_badge, actor=org.erin, user_id="UDANA", source=badge_for(), fetcher=OFFLINE)


def test_badges_are_listed_for_their_owner_and_manager_only(org_with_emails: Org) -> None:
    org = org_with_emails
    org.run(import_badge, actor=org.dana, source=badge_for(), fetcher=OFFLINE)
    assert len(org.run(employee_badges, actor=org.dana)) == 1
    assert len(org.run(employee_badges, actor=org.mia, user_id="UDANA")) == 1
    with pytest.raises(PermissionDenied):
        org.run(employee_badges, actor=org.erin, user_id="UDANA")


def test_two_imports_at_the_same_moment_record_one_badge(org_with_emails: Org, db_url: str) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers; the race needs row-level concurrency")
    org = org_with_emails
    source = badge_for(name="Rust Basics")
    results: dict[str, BadgeImport] = {}
    with Session(org.engine, expire_on_commit=False) as first:
        results["first"] = import_badge(session=first, actor=org.dana, source=source, fetcher=OFFLINE)

        def second() -> None:  # looks up before `first` commits, then its insert waits on the unique index
            with Session(org.engine, expire_on_commit=False) as session:
                results["second"] = import_badge(session=session, actor=org.dana, source=source, fetcher=OFFLINE)
                session.commit()

        racer = threading.Thread(target=second)
        racer.start()
        wait_until_blocked(org.engine, racer)  # its insert waits on the unique index
        first.commit()
        racer.join(timeout=10)
    assert results["first"].created and not results["second"].created
    assert results["second"].badge.id == results["first"].badge.id
    with Session(org.engine) as session:
        assert len(session.exec(select(Badge)).all()) == 1
