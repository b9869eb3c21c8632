"""The one way verification reaches the network: small JSON documents over HTTP(S), with timeouts and limits."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from core.errors import BadgerError

DEFAULT_TIMEOUT = 5.0
DEFAULT_MAX_BYTES = 1_000_000
MAX_REDIRECTS = 3
_ACCEPT = "application/ld+json, application/json;q=0.9, */*;q=0.1"


class FetchError(BadgerError):
    """A document could not be fetched (unreachable, slow, too big, not JSON); the message is safe to show."""


def _private_host(host: str) -> bool:
    """True for localhost and literal loopback, private, link-local or reserved IP addresses."""
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local or address.is_reserved


@dataclass
class Fetcher:
    """Fetch JSON documents; `origins` maps an origin to another (tests point issuers at a loopback server)."""

    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    origins: Mapping[str, str] = field(default_factory=dict)
    offline: bool = False
    allow_private: bool = False  # loopback, private and link-local literal addresses are refused unless allowed

    def _target(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise FetchError(f"can't fetch {url}: only http(s) URLs are fetched")
        if not self.allow_private and _private_host(parts.hostname or ""):
            raise FetchError(f"can't fetch {url}: Badger does not fetch from local or private addresses")
        origin = f"{parts.scheme}://{parts.netloc}"
        return self.origins.get(origin, origin) + url[len(origin):]

    def get_bytes(self, url: str) -> bytes:
        """The body at `url` (fragment dropped), following up to 3 redirects, each checked; or FetchError."""
        if self.offline:
            raise FetchError(f"can't fetch {url}: Badger is offline")
        current = url.split("#", 1)[0]
        for _ in range(MAX_REDIRECTS + 1):
            location = self._get_once(url, current)
            if isinstance(location, bytes):
                return location
            current = urljoin(current, location)
        raise FetchError(f"{url} redirects too many times")

    def _get_once(self, url: str, current: str) -> bytes | str:
        target = self._target(current)
        try:
            with httpx.stream("GET", target, timeout=self.timeout, headers={"Accept": _ACCEPT}) as response:
                if response.is_redirect and "location" in response.headers:
                    return str(response.headers["location"])
                if response.status_code != 200:
                    raise FetchError(f"{url} answered HTTP {response.status_code}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > self.max_bytes:
                        raise FetchError(f"{url} is larger than {self.max_bytes} bytes")
                return bytes(body)
        except httpx.TimeoutException:
            raise FetchError(f"{url} did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"can't reach {url} ({type(exc).__name__})") from None

    def get_json(self, url: str) -> dict[str, Any]:
        """The JSON object at `url`, or FetchError."""
        body = self.get_bytes(url)
        try:
            document = json.loads(body)
        except ValueError:
            raise FetchError(f"{url} is not JSON") from None
        if not isinstance(document, dict):
            raise FetchError(f"{url} is not a JSON object")
        return document
