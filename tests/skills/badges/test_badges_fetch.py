"""The fetcher: real HTTP on loopback; unreachable, slow, large and non-JSON answers fail cleanly."""

from __future__ import annotations

import json
import socket

import pytest

from skills.badges.fetch import Fetcher, FetchError
from skills.badges.verify import verify_badge
from tests.skills.badges.badge_helpers import Loopback, load


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_fetches_json(issuers: Loopback) -> None:
    url = issuers.serve("/doc.json", {"a": 1})
    assert Fetcher(allow_private=True).get_json(url) == {"a": 1}


def test_an_unreachable_host_fails_cleanly() -> None:
    with pytest.raises(FetchError, match="can't reach"):
        Fetcher(timeout=1, allow_private=True).get_json(f"http://127.0.0.1:{closed_port()}/x.json")


def test_a_slow_host_times_out(issuers: Loopback) -> None:
    url = issuers.serve("/slow.json", {"a": 1})
    issuers.slow["/slow.json"] = 2.0  # it would answer, later: only the timeout can make this fail
    with pytest.raises(FetchError, match=r"did not answer within 0\.3 s"):
        Fetcher(timeout=0.3, allow_private=True).get_json(url)


def test_a_large_answer_is_cut_off(issuers: Loopback) -> None:
    url = issuers.serve("/big.json", b"[" + b"0," * 100_000 + b"0]")
    with pytest.raises(FetchError, match="larger than"):
        Fetcher(max_bytes=10_000, allow_private=True).get_json(url)


def test_non_json_and_missing_documents_fail(issuers: Loopback) -> None:
    with pytest.raises(FetchError, match="not JSON"):
        Fetcher(allow_private=True).get_json(issuers.serve("/text", b"hello"))
    with pytest.raises(FetchError, match="HTTP 404"):
        Fetcher(allow_private=True).get_json(issuers.base + "/missing")


def test_only_http_urls_are_fetched() -> None:
    with pytest.raises(FetchError, match="only http"):
        Fetcher(allow_private=True).get_json("file:///etc/passwd")


def test_a_did_web_issuer_on_a_slow_host_fails_the_proof_check_in_time(issuers: Loopback) -> None:
    issuers.slow["/slowdc/vc-test-fixtures/dids/oidf/did.json"] = 2.0
    fetcher = Fetcher(timeout=0.3, origins={"https://digitalcredentials.github.io": issuers.base + "/slowdc"})
    document = load("verifiableCredentials/v2/ed25519/didWeb/oidf-noStatus-notExpired.json")
    result = verify_badge(json.dumps(document), fetcher=fetcher)
    assert result.failed == "proof" and "did not answer" in result.errors[0]


def test_a_status_list_on_an_unreachable_host_fails_the_status_check() -> None:
    fetcher = Fetcher(timeout=1, origins={"https://raw.githubusercontent.com": f"http://127.0.0.1:{closed_port()}"})
    document = load("verifiableCredentials/v2/dataIntegrityProof/didKey/oidf-revokedStatus-noExpiry.json")
    result = verify_badge(json.dumps(document), fetcher=fetcher)
    assert result.failed == "status" and "can't check revocation" in result.errors[0]


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/x", "http://localhost:8080/x", "http://10.0.0.1/x", "http://169.254.169.254/latest",
            "http://[::1]/x", "https://192.168.1.1/x"],
)
def test_local_and_private_addresses_are_refused(url: str) -> None:
    with pytest.raises(FetchError, match="local or private"):
        Fetcher().get_json(url)


def test_redirects_are_followed_and_checked(issuers: Loopback) -> None:
    issuers.serve("/target.json", {"moved": True})
    issuers.redirects["/old.json"] = "/target.json"
    assert Fetcher(allow_private=True).get_json(issuers.base + "/old.json") == {"moved": True}
    issuers.redirects["/to-metadata.json"] = "http://169.254.169.254/latest/meta-data"
    fetcher = Fetcher(origins={"https://issuer.example": issuers.base})
    with pytest.raises(FetchError, match="local or private"):
        fetcher.get_json("https://issuer.example/to-metadata.json")
    issuers.redirects["/loop.json"] = "/loop.json"
    with pytest.raises(FetchError, match="too many"):
        Fetcher(allow_private=True).get_json(issuers.base + "/loop.json")
