"""The issued badge reaches its earner by DM through the outbox: message, baked PNG and JSON in the thread."""

from __future__ import annotations

import html
import json
import random
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from slack_sdk import WebClient
from sqlmodel import Session

from bot.slack.outbox import Deliverer
from skills.badges.baked import from_png
from skills.badges.verify import verify_badge
from skills.issuing.identity import issuer_from_settings
from skills.issuing.service import Issuing, LocalFetcher
from skills.recognition import ShoutoutPolicy, award
from tests.fakes.slack_server import FakeSlack
from tests.skills.factories import Org, set_email
from tests.skills.issuing.conftest import add_self_credential, issuer_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def test_the_earner_gets_the_badge_by_dm(org: Org, slack: FakeSlack, tmp_path: Path) -> None:
    add_self_credential(org)
    set_email(org.engine, "UDANA", "dana@example.org")
    settings = issuer_settings(tmp_path)
    policy = ShoutoutPolicy(hold_minutes=0, issuing=Issuing.from_settings(settings))
    org.run(award, actor=org.mia, employee_id="UDANA", credential_id="lead-101", policy=policy)
    outbox = Deliverer(WebClient(token="xoxb-test", base_url=slack.api_url), org.engine, rng=random.Random(3))
    while outbox.deliver_once().claimed:
        pass
    [dm] = [m for channel, messages in slack.messages.items() for m in messages if "Open Badge" in m["text"]]
    assert "Your Open Badge for *Leading Teams* is ready, issued by Example Ltd" in dm["text"]
    text = html.unescape(dm["text"])  # Slack shows "&amp;" as "&"
    linkedin = next(word for word in text.split() if word.startswith("https://www.linkedin.com/"))
    query = parse_qs(urlsplit(linkedin).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"] and query["name"] == ["Leading Teams"]
    assert query["organizationName"] == ["Example Ltd"] and query["certUrl"][0].endswith(query["certId"][0])
    png, document = sorted(slack.files, key=lambda f: not f["filename"].endswith(".png"))
    assert png["filename"].endswith(".png") and document["filename"].endswith(".json")
    assert png["thread_ts"] == dm["ts"] and png["channel"] == document["channel"]
    assert json.loads(from_png(png["content"])) == json.loads(document["content"])
    with Session(org.engine) as session:
        result = verify_badge(png["content"], fetcher=LocalFetcher(session, issuer_from_settings(settings)))
    assert result.valid, result.errors
    assert outbox.deliver_once().claimed == 0 and len(slack.files) == 2  # delivered once
