"""A fake OpenID Connect provider (Sign in with Slack) on loopback: discovery, authorize, token, JWKS."""

from __future__ import annotations

import base64
import secrets
import time
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "console-client"
CLIENT_SECRET = "console-secret"


class FakeOIDC:
    """Signs in `user` (a Slack user id) at every authorize request; tests may change it or tamper with tokens."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.user = "UADA"
        self.url = ""  # set once served
        self.audience = CLIENT_ID
        self.codes: dict[str, dict[str, str]] = {}
        self.token_requests = 0

    def app(self) -> Starlette:
        """The provider as an ASGI app."""
        return Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/authorize", self.authorize),
            Route("/token", self.token, methods=["POST"]),
            Route("/jwks", self.jwks),
        ])

    async def discovery(self, request: Request) -> Response:
        return JSONResponse({"issuer": self.url, "authorization_endpoint": f"{self.url}/authorize",
                             "token_endpoint": f"{self.url}/token", "jwks_uri": f"{self.url}/jwks"})

    async def authorize(self, request: Request) -> Response:
        params = request.query_params
        assert params["client_id"] == CLIENT_ID and params["response_type"] == "code"
        code = secrets.token_urlsafe(8)
        self.codes[code] = {"nonce": params.get("nonce", ""), "redirect_uri": params["redirect_uri"]}
        return RedirectResponse(f"{params['redirect_uri']}?code={code}&state={params['state']}", status_code=302)

    async def token(self, request: Request) -> Response:
        self.token_requests += 1
        basic = request.headers.get("authorization", "").removeprefix("Basic ")
        form = await request.form()
        client = base64.b64decode(basic).decode() if basic else f"{form.get('client_id')}:{form.get('client_secret')}"
        grant = self.codes.pop(str(form.get("code")), None)
        if client != f"{CLIENT_ID}:{CLIENT_SECRET}" or grant is None or \
                form.get("redirect_uri") != grant["redirect_uri"]:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        now = int(time.time())
        claims: dict[str, Any] = {"iss": self.url, "aud": self.audience, "sub": self.user, "iat": now,
                                  "exp": now + 300, "nonce": grant["nonce"], "https://slack.com/user_id": self.user}
        id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.key)
        return JSONResponse({"access_token": "at", "token_type": "Bearer", "id_token": id_token})

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(KeySet([self.key]).as_dict(private=False))
