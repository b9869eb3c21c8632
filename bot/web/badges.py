"""Public routes for the badges Badger issues: the DID document, each credential's page/JSON, the status lists."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from core.errors import BadgerError, NotFoundError
from core.settings import Settings
from skills.issuing.identity import Issuer, issuer_from_settings
from skills.issuing.service import get_issued, status_list_credential, verify_issued

logger = logging.getLogger(__name__)
_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=select_autoescape(default=True, default_for_string=True))
_JSON_TYPES = ("application/json", "application/ld+json", "application/vc+ld+json")
LD_JSON = "application/ld+json"


class _Issuers:
    """The issuer, re-read when the key file changes (after `badger issuer rotate`)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._cached: tuple[float, Issuer] | None = None

    def get(self) -> Issuer:
        mtime = self.settings.issuer_key_path.stat().st_mtime if self.settings.issuer_key_path.exists() else 0.0
        if self._cached is None or self._cached[0] != mtime:
            self._cached = (mtime, issuer_from_settings(self.settings))
        return self._cached[1]


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return any(kind in accept for kind in _JSON_TYPES) or request.query_params.get("format") == "json"


def _not_found(request: Request, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=404)
    return HTMLResponse(_TEMPLATES.get_template("badge_missing.html").render(message=message), status_code=404)


def _unavailable(exc: BadgerError) -> Response:
    logger.warning("issuer not usable: %s", exc)
    return PlainTextResponse("Badge issuing is not set up on this server.", status_code=503)


def routes(settings: Settings, engine: Engine) -> list[BaseRoute]:
    """`/.well-known/did.json`, `/credentials/{id}` and `/status/{list}` for `badger serve --http` to mount."""
    issuers = _Issuers(settings)

    def did_document(request: Request) -> Response:
        try:
            issuer = issuers.get()
        except BadgerError as exc:
            return _unavailable(exc)
        if not issuer.domain:
            return JSONResponse({"error": "this issuer is a did:key (no BADGER_ISSUER_DOMAIN): no DID document"},
                                status_code=404)
        return JSONResponse(issuer.did_document(), media_type="application/did+json")

    def credential(request: Request) -> Response:
        uid = str(request.path_params["uid"])
        try:
            issuer = issuers.get()
        except BadgerError as exc:
            return _unavailable(exc)
        with Session(engine) as session:
            try:
                row = get_issued(session, uid)
            except NotFoundError as exc:
                return _not_found(request, str(exc))
            if _wants_json(request):
                if row.token is not None and "jwt" in request.headers.get("accept", ""):
                    return PlainTextResponse(row.token, media_type="application/vc+jwt")
                return JSONResponse(row.document, media_type=LD_JSON)
            result = verify_issued(session, issuer, row)
        return HTMLResponse(_TEMPLATES.get_template("badge.html").render(page=_page(row.document, result, row)))

    def status_list(request: Request) -> Response:
        try:
            issuer = issuers.get()
        except BadgerError as exc:
            return _unavailable(exc)
        with Session(engine) as session:
            try:
                document = status_list_credential(session, issuer, int(request.path_params["list_id"]))
            except NotFoundError as exc:
                return JSONResponse({"error": str(exc)}, status_code=404)
        return JSONResponse(document, media_type=LD_JSON, headers={"Cache-Control": "max-age=60"})

    return [
        Route("/.well-known/did.json", did_document, methods=["GET"]),
        Route("/credentials/{uid}", credential, methods=["GET"]),
        Route("/status/{list_id:int}", status_list, methods=["GET"]),
    ]


def _page(document: dict[str, Any], result: Any, row: Any) -> dict[str, Any]:
    subject = document.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    image = achievement.get("image") or {}
    issuer = document.get("issuer") or {}
    revoked = row.revoked_at is not None
    return {
        "name": achievement.get("name", ""), "description": achievement.get("description", ""),
        "criteria": (achievement.get("criteria") or {}).get("narrative", ""),
        "image": image.get("id") if str(image.get("id", "")).startswith("https://") else None,
        "issuer": issuer.get("name", ""), "issuer_url": issuer.get("url"), "issuer_id": issuer.get("id", ""),
        "skills": [a.get("targetName") for a in achievement.get("alignment") or []] or achievement.get("tag") or [],
        "valid_from": str(document.get("validFrom", ""))[:10], "valid_until": str(document.get("validUntil", ""))[:10],
        "revoked": revoked, "revoked_on": row.revoked_at.date().isoformat() if revoked else "",
        "verified": result.valid, "problems": result.errors, "json_url": f"{document.get('id')}?format=json",
    }
