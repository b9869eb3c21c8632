"""The ASGI application: Bolt on /slack/events, /healthz, /readyz, /metrics, and the sub-apps of later issues.

Bolt's App is synchronous: each Slack request is dispatched on a worker thread (the event loop keeps accepting
and reading other requests meanwhile); its listeners only parse and queue (core.queue), so the ack is quick.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from core import metrics
from core.settings import Settings

if TYPE_CHECKING:
    from bot.slack.services import Services

logger = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
BODY_SECONDS = 10.0  # a client that takes longer to send a Slack-sized body is not Slack


@dataclass
class Readiness:
    """What /readyz reports besides the database: the model loaded, and not shutting down."""

    warm: threading.Event = field(default_factory=threading.Event)
    draining: threading.Event = field(default_factory=threading.Event)
    answers: Callable[[], bool] = lambda: True  # an answer worker is ready (processes load their own model)


def build_web_app(settings: Settings, services: Services, bolt_app: App, *,
                  readiness: Readiness | None = None) -> Starlette:
    """The one Starlette app of `badger serve --http`."""
    ready = readiness or Readiness()
    if readiness is None:
        ready.warm.set()
    engine = services.engine
    head = _head_revision()

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def readyz(_request: Request) -> Response:
        checks = await run_in_threadpool(_checks, engine, head, ready)
        ok = all(value == "ok" for value in checks.values())
        return JSONResponse({"ok": ok, **checks}, status_code=200 if ok else 503)

    async def metrics_endpoint(_request: Request) -> Response:
        body, content_type = await run_in_threadpool(metrics.render, engine)
        return Response(body, media_type=content_type)

    routes: list[BaseRoute] = [
        Route(EVENTS_PATH, slack_endpoint(bolt_app, settings.badger_http_max_body_bytes), methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
    ]
    routes += _sub_apps(settings, services)
    return Starlette(routes=routes)


def slack_endpoint(bolt_app: App, limit: int) -> Callable[[Request], Awaitable[Response]]:
    """Bolt behind Starlette: the body read with size and time limits, the dispatch on a worker thread."""

    async def slack_events(request: Request) -> Response:
        began = time.perf_counter()
        if int(request.headers.get("content-length") or 0) > limit:
            return PlainTextResponse("request body too large", status_code=413)
        try:
            async with asyncio.timeout(BODY_SECONDS):
                body = await request.body()
        except TimeoutError:
            return PlainTextResponse("request body too slow", status_code=408)
        if len(body) > limit:
            return PlainTextResponse("request body too large", status_code=413)
        bolt_response = await run_in_threadpool(bolt_app.dispatch, to_bolt_request(request, body))
        metrics.ACK_SECONDS.observe(time.perf_counter() - began)
        return to_starlette_response(bolt_response)

    return slack_events


def bolt_only(bolt_app: App, settings: Settings) -> Starlette:
    """Just a Bolt app on /slack/events, served the same way (the benchmarks' baseline)."""
    return Starlette(routes=[Route(EVENTS_PATH, slack_endpoint(bolt_app, settings.badger_http_max_body_bytes),
                                   methods=["POST"])])


def _sub_apps(settings: Settings, services: Services) -> list[BaseRoute]:
    """The public badge endpoints and the web console, when those modules are installed."""
    routes: list[BaseRoute] = []
    if importlib.util.find_spec("bot.web.badges") is not None:
        routes += importlib.import_module("bot.web.badges").routes(settings, services.engine)
    try:
        console = importlib.util.find_spec("bot.web.console")
    except ModuleNotFoundError:
        console = None
    if console is not None:
        build = importlib.import_module("bot.web.console").build_console
        routes.append(Mount("/console", app=build(settings, services.engine, services.kb)))
    return routes


def _head_revision() -> str | None:
    from bot.cli_db import head_revision

    return head_revision()


def _checks(engine: Any, head: str | None, ready: Readiness) -> dict[str, str]:
    """Each readiness condition: "ok" or why not."""
    checks = {"draining": "ok" if not ready.draining.is_set() else "shutting down",
              "model": "ok" if ready.warm.is_set() and ready.answers() else "loading"}
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as exc:  # noqa: BLE001 (any failure means not ready)
        logger.warning("readyz.database_check_failed kind=%s", type(exc).__name__)
        checks.setdefault("database", "unreachable")
        current = None
    checks["migrations"] = "ok" if current == head else f"at {current or 'none'}, the code needs {head}"
    return checks
