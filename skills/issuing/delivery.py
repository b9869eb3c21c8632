"""Issuing in the award flow: the badge is signed and the person's DM queued in the same transaction."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from knowledge.models import Credential
from skills.issuing.baking import linkedin_url
from skills.issuing.models import IssuedCredential
from skills.issuing.service import Issuing, exported, issue_badge
from skills.models import Employee, Enrolment
from skills.notices import Kind, add_notice


def issue_and_notify(
    session: Session,
    *,
    issuing: Issuing | None,
    enrolment: Enrolment,
    employee: Employee,
    catalogue: Credential,
    confirmed_by: str,
    now: datetime | None = None,
) -> IssuedCredential:
    """Issue the badge (once) and queue the DM that carries it: baked PNG, JSON, public page, LinkedIn link."""
    row = issue_badge(session, issuing=issuing, enrolment=enrolment, employee=employee, catalogue=catalogue,
                      confirmed_by=confirmed_by, now=now)
    url = str(row.document.get("id"))
    organisation = str(row.document.get("issuer", {}).get("name", ""))
    add_notice(session, kind=Kind.BADGE_ISSUED, recipient_id=employee.user_id, enrolment_id=enrolment.id,
               idempotency_key=f"{Kind.BADGE_ISSUED}:{row.uid}",
               payload={"issued_id": row.uid, "credential": exported(row), "credential_url": url,
                        "credential_title": row.achievement, "organisation": organisation,
                        "employee_id": employee.user_id,
                        "linkedin_url": linkedin_url(name=row.achievement, organisation=organisation,
                                                     issued=row.issued_at, url=url, cert_id=row.uid)})
    return row
