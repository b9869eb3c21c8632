"""A small history of learning records to export, erase and send as xAPI."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from skills.enrolment import enrol
from skills.models import Badge
from skills.nominations import nominate
from skills.progress import update_progress
from skills.recognition import award
from tests.skills.factories import Org, set_email

BADGE_URL = "https://badges.example.com/assertions/1"


def make_history(org: Org) -> dict[str, int]:
    """Dana: py-101 earned (with a badge), ml-intro in progress; Owen nominated by Omar; Erin enrolled."""
    set_email(org.engine, "UDANA", "dana@example.com")
    py = org.run(enrol, actor=org.dana, credential_id="py-101")
    org.run(update_progress, actor=org.dana, enrolment_id=py.id, percent=40, note="halfway")
    org.run(award, actor=org.mia, employee_id="UDANA", credential_id="py-101", badge_url=BADGE_URL)
    ml = org.run(enrol, actor=org.dana, credential_id="ml-intro")
    org.run(update_progress, actor=org.dana, enrolment_id=ml.id, percent=25, note="Dana's secret note")
    owen = org.run(nominate, actor=org.omar, employee_id="UOWEN", credential_id="ml-intro", reason="grow",
                   due_date=date(2027, 1, 31))
    erin = org.run(enrol, actor=org.erin, credential_id="py-101")
    with Session(org.engine) as session:
        session.add(Badge(employee_id="UDANA", fingerprint="f" * 64, format="ob2-hosted", achievement="Kubernetes",
                          issuer="CNCF", skills=["Kubernetes", "Helm"], credential_id="cloud-arch",
                          document={"recipient": "dana@example.com"}, enrolment_id=py.id, source_url=BADGE_URL))
        session.commit()
    assert py.id and ml.id and owen.id and erin.id
    return {"py": py.id, "ml": ml.id, "owen": owen.id, "erin": erin.id}
