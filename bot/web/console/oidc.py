"""Sign in with Slack (OpenID Connect, authorization code flow) with authlib; ID tokens verified with joserfc."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from typing import Any

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from core.settings import Settings
from skills.console.signin import signing_key

SLACK_USER_CLAIM = "https://slack.com/user_id"
DISCOVERY_TTL = 3600.0


class OIDCError(Exception):
    """The sign-in with the provider failed; the message says why (never a token or secret)."""


class SlackOIDC:
    """The provider's endpoints (discovered, cached) and the two legs of the code flow."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client_id = settings.badger_console_oidc_client_id or ""
        secret = settings.badger_console_oidc_client_secret
        self.client_secret = secret.get_secret_value() if secret else ""
        self.issuer = settings.badger_console_oidc_issuer.rstrip("/")
        self._config: dict[str, Any] | None = None
        self._fetched = 0.0
        self._lock = threading.Lock()

    def config(self) -> dict[str, Any]:
        """The provider's discovery document."""
        with self._lock:
            if self._config is None or time.monotonic() - self._fetched > DISCOVERY_TTL:
                response = httpx.get(f"{self.issuer}/.well-known/openid-configuration", timeout=10)
                response.raise_for_status()
                self._config, self._fetched = response.json(), time.monotonic()
            return self._config

    def _client(self, redirect_uri: str) -> OAuth2Client:
        return OAuth2Client(client_id=self.client_id, client_secret=self.client_secret,
                            scope="openid profile email", redirect_uri=redirect_uri, timeout=10)

    def _state_mac(self, state: str) -> str:
        return hmac.new(signing_key(self.settings), state.encode(), hashlib.sha256).hexdigest()[:32]

    def authorize_url(self, redirect_uri: str) -> tuple[str, str]:
        """The provider URL to send the browser to, and the value for the state cookie (state.nonce.mac)."""
        state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        with self._client(redirect_uri) as client:
            url, _ = client.create_authorization_url(self.config()["authorization_endpoint"], state=state,
                                                     nonce=nonce)
        return url, f"{state}.{nonce}.{self._state_mac(state + nonce)}"

    def finish(self, params: dict[str, str], cookie: str, redirect_uri: str) -> str:
        """Check the callback against the state cookie, exchange the code and return the verified Slack user id."""
        state, _, rest = cookie.partition(".")
        nonce, _, mac = rest.partition(".")
        if not state or not hmac.compare_digest(mac, self._state_mac(state + nonce)) or \
                not hmac.compare_digest(params.get("state", ""), state):
            raise OIDCError("The sign-in did not come back as it left; start again.")
        if "error" in params or not params.get("code"):
            raise OIDCError(f"The provider refused the sign-in ({params.get('error', 'no code')}).")
        config = self.config()
        with self._client(redirect_uri) as client:
            try:
                token = client.fetch_token(config["token_endpoint"], code=params["code"],
                                           grant_type="authorization_code")
            except Exception as exc:  # noqa: BLE001 - any failure of the exchange is a refused sign-in
                raise OIDCError(f"The provider did not accept the sign-in code ({type(exc).__name__}).") from None
        id_token = token.get("id_token")
        if not id_token:
            raise OIDCError("The provider sent no ID token.")
        keys = KeySet.import_key_set(httpx.get(config["jwks_uri"], timeout=10).json())
        try:
            claims = jwt.decode(id_token, keys).claims
            jwt.JWTClaimsRegistry(iss={"essential": True, "value": config.get("issuer", self.issuer)},
                                  aud={"essential": True, "value": self.client_id},
                                  nonce={"essential": True, "value": nonce},
                                  exp={"essential": True}).validate(claims)
        except (JoseError, ValueError) as exc:
            raise OIDCError(f"The ID token did not verify ({type(exc).__name__}).") from None
        user_id = claims.get(SLACK_USER_CLAIM) or claims.get("sub")
        if not isinstance(user_id, str) or not user_id:
            raise OIDCError("The ID token names no Slack user.")
        return user_id
