"""Sign in with Slack through a fake OpenID Connect provider on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.bot.web.console.conftest import Console, ServedApp
from tests.fakes.oidc_server import CLIENT_ID, CLIENT_SECRET, FakeOIDC


@pytest.fixture
def provider() -> Iterator[FakeOIDC]:
    fake = FakeOIDC()
    served = ServedApp(fake.app())
    fake.url = served.url
    yield fake
    served.stop()


@pytest.fixture
def console(make_console: Callable[..., Console], provider: FakeOIDC) -> Console:
    return make_console(badger_console_oidc_client_id=CLIENT_ID, badger_console_oidc_client_secret=CLIENT_SECRET,
                        badger_console_oidc_issuer=provider.url)


def test_sign_in_with_slack_opens_a_session(console: Console, provider: FakeOIDC) -> None:
    client = httpx.Client(base_url=console.url, follow_redirects=True, timeout=30)
    assert "Sign in with Slack" in client.get("/login").text
    landed = client.get("/login/slack")
    assert landed.status_code == 200 and landed.url.path == "/overview" and "Ada Admin" in landed.text


def test_a_callback_without_its_state_or_with_a_bad_token_is_refused(console: Console, provider: FakeOIDC) -> None:
    client = httpx.Client(base_url=console.url, follow_redirects=False, timeout=30)
    to_provider = client.get("/login/slack")
    back = httpx.get(to_provider.headers["location"]).headers["location"]
    stranger = httpx.Client(timeout=30)  # a browser that did not start this sign-in has no state cookie
    assert stranger.get(back).status_code == 403
    assert provider.token_requests == 0

    provider.audience = "someone-else"
    to_provider = client.get("/login/slack")
    back = httpx.get(to_provider.headers["location"]).headers["location"]
    refused = client.get(back)
    assert refused.status_code == 403 and "did not verify" in refused.text
    assert client.get("/overview").status_code == 303


def test_employees_signing_in_with_slack_are_refused(console: Console, provider: FakeOIDC) -> None:
    provider.user = "UDANA"
    client = httpx.Client(base_url=console.url, follow_redirects=True, timeout=30)
    refused = client.get("/login/slack")
    assert refused.status_code == 403 and "for L&amp;D admins and managers" in refused.text
